package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.api.query.IntentProperties;
import io.engram.core.memory.IntentClassifier;
import io.engram.core.memory.LocalIntentClassifier;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which intent classifier the API builds from {@code engram.intent.*} and the LLM settings. */
class IntentWiringTest {
  private static final Map<String, Object> LLM =
      Map.of(
          "engram.llm.provider", "openai",
          "engram.llm.base.url", "http://127.0.0.1:9/v1",
          "engram.llm.model", "some-model");

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> properties = new HashMap<>(base);
    properties.put(key, value);
    return properties;
  }

  @Test
  void defaults_are_auto_two_seconds_and_a_short_reply() {
    try (ApplicationContext context = ApplicationContext.run(Map.of())) {
      IntentProperties props = context.getBean(IntentProperties.class);
      assertThat(props.classifier()).isEqualTo(IntentProperties.Kind.AUTO);
      assertThat(props.timeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(props.maxTokens()).isEqualTo(96);
    }
  }

  @Test
  void binds_overrides() {
    try (ApplicationContext context =
        ApplicationContext.run(
            Map.of(
                "engram.intent.classifier", "local",
                "engram.intent.timeout-ms", "750",
                "engram.intent.max-tokens", "48"))) {
      IntentProperties props = context.getBean(IntentProperties.class);
      assertThat(props.classifier()).isEqualTo(IntentProperties.Kind.LOCAL);
      assertThat(props.timeout()).isEqualTo(Duration.ofMillis(750));
      assertThat(props.maxTokens()).isEqualTo(48);
    }
  }

  @Test
  void environment_variables_bind_as_documented() {
    try (ApplicationContext context =
        ApplicationContext.builder()
            .propertySources(
                PropertySource.of(
                    "env",
                    Map.of("ENGRAM_INTENT_CLASSIFIER", "llm", "ENGRAM_INTENT_TIMEOUT_MS", "1200"),
                    PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE))
            .start()) {
      IntentProperties props = context.getBean(IntentProperties.class);
      assertThat(props.classifier()).isEqualTo(IntentProperties.Kind.LLM);
      assertThat(props.timeout()).isEqualTo(Duration.ofMillis(1200));
    }
  }

  @Test
  void without_an_llm_the_local_rules_classify() {
    try (ApplicationContext context = ApplicationContext.run(Map.of())) {
      assertThat(context.getBean(IntentClassifier.class)).isInstanceOf(LocalIntentClassifier.class);
    }
  }

  @Test
  void with_an_llm_auto_classifies_through_it_unless_local_is_asked_for() {
    try (ApplicationContext context = ApplicationContext.run(LLM)) {
      assertThat(context.getBean(IntentClassifier.class).name()).isEqualTo("llm:openai:some-model");
    }
    try (ApplicationContext context =
        ApplicationContext.run(with(LLM, "engram.intent.classifier", "local"))) {
      assertThat(context.getBean(IntentClassifier.class).name()).isEqualTo("local");
    }
  }

  @Test
  void llm_without_an_llm_provider_is_refused_naming_what_to_set() {
    try (ApplicationContext context =
        ApplicationContext.run(Map.of("engram.intent.classifier", "llm"))) {
      assertThatThrownBy(() -> context.getBean(IntentClassifier.class))
          .hasStackTraceContaining("ENGRAM_INTENT_CLASSIFIER=llm needs an LLM")
          .hasStackTraceContaining("ENGRAM_LLM_PROVIDER");
    }
  }

  @Test
  void a_timeout_out_of_range_is_refused() {
    try (ApplicationContext context =
        ApplicationContext.run(Map.of("engram.intent.timeout-ms", "0"))) {
      assertThatThrownBy(() -> context.getBean(IntentProperties.class))
          .hasStackTraceContaining("timeoutMs");
    }
  }
}
