package io.engram.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngramSettingsTest {

  @Test
  void defaults_work_on_a_laptop() {
    EngramSettings s = EngramSettings.fromEnvironment(Map.of());
    assertThat(s.databaseUrl()).startsWith("jdbc:postgresql://127.0.0.1:");
    assertThat(s.temporalAddress()).isEqualTo("127.0.0.1:7233");
    assertThat(s.embeddingModel()).isEqualTo("bge-small-en-v1.5-q");
    assertThat(s.chunkSize()).isEqualTo(1024);
    assertThat(s.chunkOverlap()).isEqualTo(200);
    assertThat(s.ingestRoots()).isEmpty();
    assertThat(s.migrateOnStart()).isTrue();
  }

  @Test
  void reads_overrides_and_ingest_roots() {
    EngramSettings s =
        EngramSettings.fromEnvironment(
            Map.of(
                "ENGRAM_INGEST_ROOTS",
                "/data:/srv/docs: ",
                "ENGRAM_CHUNK_SIZE",
                "512",
                "ENGRAM_CHUNK_OVERLAP",
                "64"));
    assertThat(s.ingestRoots()).containsExactly(Path.of("/data"), Path.of("/srv/docs"));
    assertThat(s.chunkSize()).isEqualTo(512);
  }

  @Test
  void rejects_invalid_values_with_a_clear_message() {
    assertThatThrownBy(
            () ->
                EngramSettings.fromEnvironment(Map.of("ENGRAM_DB_URL", "postgres://u:secret@h/db")))
        .hasMessageContaining("jdbc:postgresql:")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> EngramSettings.fromEnvironment(Map.of("ENGRAM_CHUNK_OVERLAP", "2000")))
        .hasMessageContaining("overlap");
  }

  @Test
  void the_password_never_appears_in_to_string() {
    EngramSettings s =
        EngramSettings.fromEnvironment(
            Map.of(
                "ENGRAM_DB_PASSWORD",
                "hunter2",
                "ENGRAM_DB_URL",
                "jdbc:postgresql://h/db?password=hunter2"));
    assertThat(s.toString()).doesNotContain("hunter2");
  }
}
