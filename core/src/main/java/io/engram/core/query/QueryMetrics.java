package io.engram.core.query;

import io.engram.core.memory.IntentClassifier;
import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.retrieval.ResponseCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The query path's metrics: turns by intent and classifier, answer latency by model version (and
 * answer mode), and the caches' hits, misses and sizes. Tags are low-cardinality: a model version
 * name, never a session or a query.
 */
public final class QueryMetrics {
  /**
   * Turns classified: {@code fallback="true"} when the LLM was asked but the local rules decided.
   */
  public static final String INTENTS = "engram.query.intents";

  /** Time to answer a turn, server side. */
  public static final String LATENCY = "engram.query.latency";

  public static final String CACHE_HITS = "engram.query.cache.hits";
  public static final String CACHE_MISSES = "engram.query.cache.misses";
  public static final String CACHE_SIZE = "engram.query.cache.size";

  public static final String TAG_INTENT = "intent";
  public static final String TAG_SOURCE = "source";
  public static final String TAG_FALLBACK = "fallback";
  public static final String TAG_MODEL_VERSION = "model_version";

  /**
   * {@code extractive} or {@code llm}: the latency objective (100 ms at p95) is the query path's
   * without an LLM, which alone takes longer.
   */
  public static final String TAG_ANSWER_MODE = "answer_mode";

  public static final String TAG_CACHE = "cache";

  private final MeterRegistry registry;

  public QueryMetrics(
      MeterRegistry registry, QueryEmbeddings embeddings, ResponseCache<?> responses) {
    this.registry = registry;
    bind(
        "query-embedding",
        embeddings,
        QueryEmbeddings::hits,
        QueryEmbeddings::misses,
        QueryEmbeddings::size);
    bind("response", responses, ResponseCache::hits, ResponseCache::misses, ResponseCache::size);
  }

  void classified(IntentClassifier.Classified classified) {
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

  void answered(String modelVersion, String answerMode, double millis) {
    Timer.builder(LATENCY)
        .description("Time to answer a turn in the API process, by model version and answer mode")
        .tag(TAG_MODEL_VERSION, modelVersion)
        .tag(TAG_ANSWER_MODE, answerMode)
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry)
        .record((long) (millis * 1e6), TimeUnit.NANOSECONDS);
  }

  /** Hits, misses and size of one cache, tagged with its name. */
  private <T> void bind(
      String cache,
      T source,
      ToDoubleFunction<T> hits,
      ToDoubleFunction<T> misses,
      ToDoubleFunction<T> size) {
    FunctionCounter.builder(CACHE_HITS, source, hits).tag(TAG_CACHE, cache).register(registry);
    FunctionCounter.builder(CACHE_MISSES, source, misses).tag(TAG_CACHE, cache).register(registry);
    Gauge.builder(CACHE_SIZE, source, size).tag(TAG_CACHE, cache).register(registry);
  }
}
