package io.engram.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.config.EngramSettings;
import io.engram.testing.JsonLogCapture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The JSON log of {@code logback-engram.xml}: fields, MDC, and secrets never written. */
class LogSecretsTest {
  private static final String PASSWORD = "pg-unit-6d1f0c33";
  private static final String API_KEY = "sk-unit-93b7e2aa51";

  private final Logger log = LoggerFactory.getLogger(LogSecretsTest.class);

  @Test
  void json_lines_carry_the_mdc_and_never_a_secret_setting() throws Exception {
    EngramSettings.of(
        Map.of(
            "ENGRAM_DB_PASSWORD", PASSWORD, "ENGRAM_LLM_API_KEY", API_KEY, "ENGRAM_DB_USER", "u"));
    List<String> lines;
    try (JsonLogCapture capture = JsonLogCapture.start()) {
      MDC.put("requestId", "req-1");
      MDC.put("WorkflowId", "ingest-a-1");
      MDC.put("RunId", "run-1");
      MDC.put("ActivityType", "ProcessBatch");
      try {
        log.info("connecting to jdbc:postgresql://db/engram?password={}", PASSWORD);
        log.warn("LLM refused key {}", API_KEY, new IllegalStateException("bad key " + API_KEY));
      } finally {
        MDC.clear();
      }
      lines = capture.lines();
    }

    assertThat(lines).hasSize(2).noneMatch(l -> l.contains(PASSWORD) || l.contains(API_KEY));
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines.get(0));
    assertThat(first.path("message").asText())
        .isEqualTo("connecting to jdbc:postgresql://db/engram?password=" + LogSecrets.MASK);
    assertThat(first.path("level").asText()).isEqualTo("INFO");
    assertThat(first.path("logger_name").asText()).isEqualTo(LogSecretsTest.class.getName());
    assertThat(first.path("@timestamp").asText()).endsWith("Z");
    assertThat(first.path("process").asText()).isEqualTo("engram-test");
    assertThat(first.path("requestId").asText()).isEqualTo("req-1");
    assertThat(first.path("workflowId").asText()).isEqualTo("ingest-a-1");
    assertThat(first.path("runId").asText()).isEqualTo("run-1");
    assertThat(first.path("activityType").asText()).isEqualTo("ProcessBatch");
    JsonNode second = json.readTree(lines.get(1));
    assertThat(second.path("stack_trace").asText())
        .contains("IllegalStateException: bad key " + LogSecrets.MASK);
  }

  @Test
  void text_lines_never_show_a_secret_setting_either() {
    EngramSettings.of(Map.of("ENGRAM_DB_PASSWORD", PASSWORD, "ENGRAM_DB_USER", "u"));
    List<String> lines;
    try (JsonLogCapture capture = JsonLogCapture.startText()) {
      log.warn(
          "cannot connect with {}", PASSWORD, new IllegalStateException("refused " + PASSWORD));
      lines = capture.lines();
    }

    assertThat(lines).noneMatch(l -> l.contains(PASSWORD));
    assertThat(lines.get(0)).endsWith("cannot connect with " + LogSecrets.MASK);
    assertThat(lines)
        .contains("java.lang.IllegalStateException: refused " + LogSecrets.MASK)
        .anyMatch(l -> l.contains("at io.engram.core.logging.LogSecretsTest"));
  }

  @Test
  void a_password_inside_the_database_url_is_masked_in_log_lines() {
    EngramSettings.of(
        Map.of("ENGRAM_DB_URL", "jdbc:postgresql://db/engram?password=url-secret-42"));
    assertThat(LogSecrets.mask("FATAL: login failed, url-secret-42 rejected"))
        .isEqualTo("FATAL: login failed, " + LogSecrets.MASK + " rejected");
  }

  @Test
  void short_values_are_not_masked() {
    EngramSettings.of(Map.of("ENGRAM_DB_PASSWORD", "abc"));
    assertThat(LogSecrets.mask("abc def")).isEqualTo("abc def");
  }
}
