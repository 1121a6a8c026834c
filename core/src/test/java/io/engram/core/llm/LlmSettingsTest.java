package io.engram.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlmSettingsTest {

  @Test
  void defaults_to_no_llm() {
    LlmSettings settings = LlmSettings.fromEnvironment(Map.of());
    assertThat(settings.enabled()).isFalse();
    assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void reads_an_openai_compatible_endpoint_and_never_prints_the_key() {
    LlmSettings settings =
        LlmSettings.fromEnvironment(
            Map.of(
                "ENGRAM_LLM_PROVIDER", "OpenAI",
                "ENGRAM_LLM_BASE_URL", "http://127.0.0.1:8081/v1",
                "ENGRAM_LLM_MODEL", "gemma-3-270m",
                "ENGRAM_LLM_API_KEY", "sk-very-secret",
                "ENGRAM_LLM_TIMEOUT_MS", "5000"));
    assertThat(settings.provider()).isEqualTo(LlmSettings.Provider.OPENAI);
    assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.toString()).doesNotContain("sk-very-secret").contains("apiKey=***");
  }

  @Test
  void rejects_incomplete_or_wrong_settings_with_the_variable_to_fix() {
    assertThatThrownBy(() -> LlmSettings.fromEnvironment(Map.of("ENGRAM_LLM_PROVIDER", "openai")))
        .hasMessageContaining("ENGRAM_LLM_BASE_URL");
    assertThatThrownBy(
            () ->
                LlmSettings.fromEnvironment(
                    Map.of(
                        "ENGRAM_LLM_PROVIDER", "openai",
                        "ENGRAM_LLM_BASE_URL", "http://x/v1")))
        .hasMessageContaining("ENGRAM_LLM_MODEL");
    assertThatThrownBy(() -> LlmSettings.fromEnvironment(Map.of("ENGRAM_LLM_PROVIDER", "gpt")))
        .hasMessageContaining("none, openai or ollama");
  }
}
