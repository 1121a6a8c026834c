package io.engram.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.config.EngramSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogFormatPropertyTest {

  @Test
  void text_by_default_and_json_in_prod() {
    assertThat(LogFormatProperty.of(Map.of())).isEqualTo(LogFormat.TEXT);
    assertThat(LogFormatProperty.of(Map.of("ENGRAM_PROFILE", "prod"))).isEqualTo(LogFormat.JSON);
    assertThat(EngramSettings.defaults().logFormat()).isEqualTo(LogFormat.TEXT);
  }

  @Test
  void the_environment_chooses_over_the_profile() {
    assertThat(LogFormatProperty.of(Map.of("ENGRAM_PROFILE", "prod", "ENGRAM_LOG_FORMAT", "text")))
        .isEqualTo(LogFormat.TEXT);
    assertThat(LogFormatProperty.of(Map.of("ENGRAM_LOG_FORMAT", "JSON"))).isEqualTo(LogFormat.JSON);
  }

  @Test
  void a_value_the_settings_refuse_logs_text_and_fails_the_settings() {
    assertThat(LogFormatProperty.of(Map.of("ENGRAM_LOG_FORMAT", "xml"))).isEqualTo(LogFormat.TEXT);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> EngramSettings.of(Map.of("ENGRAM_LOG_FORMAT", "xml")))
        .hasMessageContaining("ENGRAM_LOG_FORMAT must be one of [text, json]");
  }

  @Test
  void names_an_appender_of_the_shared_configuration() {
    assertThat(LogFormat.JSON.appender()).isEqualTo("json");
    assertThat(LogFormat.TEXT.appender()).isEqualTo("text");
  }
}
