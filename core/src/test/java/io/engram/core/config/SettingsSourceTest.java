package io.engram.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.config.SettingsSource.Origin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsSourceTest {

  @Test
  void layers_apply_in_order_and_each_value_knows_where_it_came_from(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("engram.env");
    Files.writeString(
        file,
        """
        # a deployment's settings
        export ENGRAM_RETRIEVAL_CANDIDATES=50
        ENGRAM_RETRIEVAL_DENSE_WEIGHT="0.7"
        ENGRAM_CHUNK_SIZE=800
        """);
    SettingsSource source =
        SettingsSource.of(
            Map.of(
                "ENGRAM_CONFIG_FILE", file.toString(),
                "ENGRAM_PROFILE", "prod",
                "ENGRAM_RETRIEVAL_DENSE_WEIGHT", "0.6",
                "ENGRAM_CHUNK_SIZE", "900"),
            Map.of("ENGRAM_CHUNK_SIZE", "1000"));

    assertThat(source.profile()).isEqualTo(Profile.PROD);
    assertThat(source.profileOrigin()).isEqualTo(Origin.ENVIRONMENT);
    assertThat(source.resolve("ENGRAM_RETRIEVAL_MODE").origin()).isEqualTo(Origin.DEFAULT);
    assertThat(source.resolve("ENGRAM_MIGRATE_ON_START"))
        .extracting(SettingsSource.Resolved::value, SettingsSource.Resolved::origin)
        .containsExactly("false", Origin.PROFILE);
    assertThat(source.resolve("ENGRAM_RETRIEVAL_CANDIDATES"))
        .extracting(SettingsSource.Resolved::value, SettingsSource.Resolved::origin)
        .containsExactly("50", Origin.FILE);
    assertThat(source.resolve("ENGRAM_RETRIEVAL_DENSE_WEIGHT"))
        .extracting(SettingsSource.Resolved::value, SettingsSource.Resolved::origin)
        .containsExactly("0.6", Origin.ENVIRONMENT);
    assertThat(source.resolve("ENGRAM_CHUNK_SIZE"))
        .extracting(SettingsSource.Resolved::value, SettingsSource.Resolved::origin)
        .containsExactly("1000", Origin.OVERRIDE);
  }

  @Test
  void a_file_value_that_is_wrong_is_reported_with_the_file(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("engram.env");
    Files.writeString(file, "ENGRAM_RETRIEVAL_CANDIDATES=many\n");
    SettingsSource source = SettingsSource.of(Map.of("ENGRAM_CONFIG_FILE", file.toString()));
    assertThatThrownBy(() -> EngramSettings.from(source))
        .hasMessage(
            "ENGRAM_RETRIEVAL_CANDIDATES must be a whole number in [1, 1000], got 'many' (from"
                + " config file "
                + file
                + ")");
    assertThatThrownBy(
            () -> SettingsSource.of(Map.of("ENGRAM_CONFIG_FILE", dir.resolve("none").toString())))
        .hasMessageContaining("ENGRAM_CONFIG_FILE names")
        .hasMessageContaining("not a readable file");
  }

  @Test
  void secrets_are_masked_and_never_quoted_in_errors() {
    SettingsSource source =
        SettingsSource.of(Map.of("ENGRAM_DB_PASSWORD", "hunter2", "ENGRAM_LLM_API_KEY", "sk-1"));
    assertThat(source.resolve("ENGRAM_DB_PASSWORD").shown()).isEqualTo("***");
    assertThat(source.resolve("ENGRAM_LLM_API_KEY").shown()).isEqualTo("***");
    assertThat(source.resolve("ENGRAM_DB_USER").shown()).isEqualTo("engram");
    assertThat(source.resolveAll())
        .filteredOn(r -> r.definition().secret())
        .extracting(r -> r.definition().key())
        .containsExactlyInAnyOrder(
            "ENGRAM_DB_PASSWORD", "ENGRAM_LLM_API_KEY", "ENGRAM_METRICS_TOKEN");
  }

  @Test
  void a_password_inside_a_url_setting_is_masked_too() {
    SettingsSource source =
        SettingsSource.of(
            Map.of(
                "ENGRAM_DB_URL",
                "jdbc:postgresql://db/engram?user=u&password=hunter22&ssl=true",
                "ENGRAM_LLM_BASE_URL",
                "http://bot:s3cret99@llm:8000/v1"));
    assertThat(source.resolve("ENGRAM_DB_URL").shown())
        .isEqualTo("jdbc:postgresql://db/engram?user=u&password=***&ssl=true");
    assertThat(source.resolve("ENGRAM_DB_URL").credentials()).containsExactly("hunter22");
    assertThat(source.resolve("ENGRAM_LLM_BASE_URL").shown()).isEqualTo("http://***@llm:8000/v1");
    assertThat(source.resolve("ENGRAM_LLM_BASE_URL").credentials()).containsExactly("s3cret99");
    assertThat(source.resolve("ENGRAM_DB_USER").credentials()).isEmpty();
  }

  @Test
  void misspelt_variables_are_reported_but_the_launchers_own_are_not() {
    SettingsSource source =
        SettingsSource.of(
            Map.of(
                "ENGRAM_RETRIEVAL_MODEE", "dense",
                "ENGRAM_HOME", "/tmp/e",
                "ENGRAM_API_URL", "http://x",
                "PATH", "/bin"));
    assertThat(source.unknown()).containsExactly("ENGRAM_RETRIEVAL_MODEE");
  }

  @Test
  void every_setting_has_help_text_unless_it_continues_a_group() {
    assertThat(SettingsSource.definitions())
        .filteredOn(d -> !d.key().startsWith("ENGRAM_SCHEDULE_"))
        .allSatisfy(d -> assertThat(d.help()).as(d.key()).isNotBlank());
    assertThat(SettingsSource.definitions())
        .extracting(SettingsSource.Definition::property)
        .contains("engram.retrieval.dense.weight", "temporal.address");
  }
}
