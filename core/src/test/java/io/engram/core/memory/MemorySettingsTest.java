package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemorySettingsTest {

  @Test
  void dev_defaults_follow_the_documented_lifecycle() {
    MemorySettings s = MemorySettings.defaults();
    assertThat(s.profile()).isEqualTo("dev");
    assertThat(s.promotion())
        .isEqualTo(new MemorySettings.Promotion(0.8, 5, Duration.ofDays(7), 100));
    assertThat(s.schedules().get(MemorySettings.PROMOTION).cron()).isEqualTo("0 3 * * *");
    assertThat(s.schedules().get(MemorySettings.SALIENCE).cron()).isEqualTo("*/5 * * * *");
    assertThat(s.schedules().get(MemorySettings.TTL_CLEANUP).cron()).isEqualTo("0 */6 * * *");
    assertThat(s.schedules().get(MemorySettings.SESSION_CLEANUP).cron()).isEqualTo("*/15 * * * *");
    assertThat(s.schedules().values()).allMatch(MemorySettings.JobSchedule::enabled);
    assertThat(s.episodicTtl()).isEqualTo(Duration.ofDays(30));
    assertThat(s.incrementalIngest()).isEmpty();
  }

  @Test
  void profiles_change_the_defaults() {
    assertThat(MemorySettings.fromEnvironment(Map.of("ENGRAM_PROFILE", "prod")).episodicTtl())
        .isEqualTo(Duration.ofDays(90));
    MemorySettings test = MemorySettings.fromEnvironment(Map.of("ENGRAM_PROFILE", "TEST"));
    assertThat(test.promotion().minAge()).isEqualTo(Duration.ofHours(1));
    assertThat(test.schedules().get(MemorySettings.PROMOTION).cron()).isEqualTo("0 * * * *");
    assertThatThrownBy(() -> MemorySettings.fromEnvironment(Map.of("ENGRAM_PROFILE", "staging")))
        .hasMessageContaining("ENGRAM_PROFILE");
  }

  @Test
  void environment_variables_override_the_profile() {
    MemorySettings s =
        MemorySettings.fromEnvironment(
            Map.of(
                "ENGRAM_PROFILE", "prod",
                "ENGRAM_SCHEDULE_PROMOTION_CRON", "30 4 * * *",
                "ENGRAM_SCHEDULE_INCREMENTAL_INGEST_ENABLED", "false",
                "ENGRAM_PROMOTION_MIN_SALIENCE", "0.7",
                "ENGRAM_PROMOTION_MIN_CITATIONS", "3",
                "ENGRAM_PROMOTION_MIN_AGE", "P2D",
                "ENGRAM_EPISODIC_TTL", "12h",
                "ENGRAM_SESSION_IDLE", "45m",
                "ENGRAM_INCREMENTAL_INGEST_DIRS", "notes=/srv/notes, /srv/docs"));
    assertThat(s.schedules().get(MemorySettings.PROMOTION).cron()).isEqualTo("30 4 * * *");
    assertThat(s.schedules().get(MemorySettings.INCREMENTAL_INGEST).enabled()).isFalse();
    assertThat(s.promotion().minSalience()).isEqualTo(0.7);
    assertThat(s.promotion().minCitations()).isEqualTo(3);
    assertThat(s.promotion().minAge()).isEqualTo(Duration.ofDays(2));
    assertThat(s.episodicTtl()).isEqualTo(Duration.ofHours(12));
    assertThat(s.sessionIdle()).isEqualTo(Duration.ofMinutes(45));
    assertThat(s.incrementalIngest())
        .containsExactly(
            new MemorySettings.IngestSource("notes", Path.of("/srv/notes")),
            new MemorySettings.IngestSource("default", Path.of("/srv/docs")));
  }

  @Test
  void bad_values_are_refused_with_the_variable_named() {
    assertThatThrownBy(
            () -> MemorySettings.fromEnvironment(Map.of("ENGRAM_SCHEDULE_SALIENCE_CRON", "often")))
        .hasMessageContaining("cron");
    assertThatThrownBy(
            () -> MemorySettings.fromEnvironment(Map.of("ENGRAM_PROMOTION_MIN_AGE", "a week")))
        .hasMessageContaining("ENGRAM_PROMOTION_MIN_AGE");
    assertThatThrownBy(
            () -> MemorySettings.fromEnvironment(Map.of("ENGRAM_PROMOTION_MIN_SALIENCE", "2")))
        .hasMessageContaining("salience");
  }

  @Test
  void durations_take_short_and_iso_forms() {
    assertThat(MemorySettings.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(MemorySettings.parseDuration("2w")).isEqualTo(Duration.ofDays(14));
    assertThat(MemorySettings.parseDuration("PT30M")).isEqualTo(Duration.ofMinutes(30));
  }
}
