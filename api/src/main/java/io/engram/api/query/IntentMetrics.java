package io.engram.api.query;

import io.engram.core.memory.IntentClassifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/**
 * How turns were classified, exported on /prometheus as {@code engram_query_intents_total}: the
 * share of {@code fallback="true"} is how often the LLM classifier failed and the local rules
 * decided instead.
 */
@Singleton
public final class IntentMetrics {
  public static final String INTENTS = "engram.query.intents";
  public static final String TAG_INTENT = "intent";
  public static final String TAG_SOURCE = "source";
  public static final String TAG_FALLBACK = "fallback";

  private final MeterRegistry registry;

  public IntentMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void record(IntentClassifier.Classified classified) {
    Counter.builder(INTENTS)
        .description(
            "Turns classified, by intent and by the classifier that decided (llm or local);"
                + " fallback=true when the LLM was asked but the local rules decided")
        .tag(TAG_INTENT, classified.intent().wireName())
        .tag(TAG_SOURCE, classified.source().wireName())
        .tag(TAG_FALLBACK, Boolean.toString(classified.fallback() != null))
        .register(registry)
        .increment();
  }
}
