package io.engram.api.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.memory.Intent;
import io.engram.core.memory.IntentClassifier.Classified;
import io.engram.core.memory.IntentClassifier.Source;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class IntentMetricsTest {

  @Test
  void counts_turns_by_intent_deciding_classifier_and_fallback() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IntentMetrics metrics = new IntentMetrics(registry);
    metrics.record(new Classified(Intent.FOLLOW_UP, "q", Source.LLM, null));
    metrics.record(new Classified(Intent.FOLLOW_UP, "q", Source.LLM, null));
    metrics.record(Classified.local(Intent.QUESTION, "q").asFallback("timeout"));
    metrics.record(Classified.local(Intent.CHIT_CHAT, "hi"));

    assertThat(count(registry, "follow-up", "llm", "false")).isEqualTo(2);
    assertThat(count(registry, "question", "local", "true")).isEqualTo(1);
    assertThat(count(registry, "chit-chat", "local", "false")).isEqualTo(1);
    assertThat(registry.find(IntentMetrics.INTENTS).counters()).hasSize(3);
  }

  private static double count(
      SimpleMeterRegistry registry, String intent, String source, String fallback) {
    return registry
        .get(IntentMetrics.INTENTS)
        .tag(IntentMetrics.TAG_INTENT, intent)
        .tag(IntentMetrics.TAG_SOURCE, source)
        .tag(IntentMetrics.TAG_FALLBACK, fallback)
        .counter()
        .count();
  }
}
