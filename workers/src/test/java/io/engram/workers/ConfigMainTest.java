package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./engram config}: what it prints and its exit status, for good and broken settings. */
class ConfigMainTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void changed_leaves_out_settings_set_empty_or_to_their_default() {
    // What the launcher exports for a local stack: an empty password, the default user.
    int status =
        ConfigMain.run(
            Map.of(
                "ENGRAM_DB_PASSWORD", "",
                "ENGRAM_DB_USER", "engram",
                "ENGRAM_API_PORT", "8099"),
            false,
            true,
            out);

    assertThat(printed())
        .doesNotContain("ENGRAM_DB_PASSWORD")
        .doesNotContain("(not set)")
        .doesNotContain("ENGRAM_DB_USER")
        .containsPattern("ENGRAM_API_PORT +8099 +environment");
    assertThat(status).isZero();
  }

  @Test
  void valid_settings_are_listed_with_their_origin_and_secrets_masked() {
    int status =
        ConfigMain.run(
            Map.of("ENGRAM_PROFILE", "test", "ENGRAM_DB_PASSWORD", "hunter2-secret"),
            false,
            true,
            out);

    assertThat(printed())
        .contains("profile test (environment)")
        .contains("ENGRAM_DB_PASSWORD")
        .doesNotContain("hunter2-secret")
        .endsWith("configuration is valid" + System.lineSeparator());
    assertThat(status).isZero();
  }

  @Test
  void an_unknown_profile_is_an_invalid_configuration_not_a_crash() throws Exception {
    assertThat(ConfigMain.run(Map.of("ENGRAM_PROFILE", "bogus"), false, false, out)).isEqualTo(2);
    assertThat(printed()).startsWith("configuration is INVALID: ").contains("ENGRAM_PROFILE");

    bytes.reset();
    assertThat(ConfigMain.run(Map.of("ENGRAM_PROFILE", "bogus"), true, false, out)).isEqualTo(2);
    JsonNode json = new ObjectMapper().readTree(printed());
    assertThat(json.path("error").asText()).contains("ENGRAM_PROFILE");
    assertThat(json.path("settings").isArray()).isTrue();
  }

  @Test
  void an_unreadable_or_malformed_config_file_is_reported(@TempDir Path tmp) throws Exception {
    Path missing = tmp.resolve("nofile");
    assertThat(ConfigMain.run(Map.of("ENGRAM_CONFIG_FILE", missing.toString()), false, false, out))
        .isEqualTo(2);
    assertThat(printed()).startsWith("configuration is INVALID: ").contains(missing.toString());

    bytes.reset();
    Path malformed = Files.writeString(tmp.resolve("engram.conf"), "ENGRAM_PROFILE prod\n");
    assertThat(
            ConfigMain.run(Map.of("ENGRAM_CONFIG_FILE", malformed.toString()), false, false, out))
        .isEqualTo(2);
    assertThat(printed()).startsWith("configuration is INVALID: ");
  }
}
