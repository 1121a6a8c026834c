package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Health;
import io.engram.contract.Memory.MemoryStats;
import io.engram.contract.Memory.PromotionStarted;
import io.engram.contract.Schedules.ScheduleList;
import io.engram.testing.EngramServices;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code status}, {@code schedules} and {@code memory} against a real API and worker. */
@EngramServices
@ExtendWith(RealEngram.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OperatorCommandsIT {

  @Test
  void status_shows_each_component_and_exits_zero_when_all_are_up() throws Exception {
    CliRunner.Result result = CliRunner.run("--api", RealEngram.url(), "status");
    CliRunner.Result json = CliRunner.run("--api", RealEngram.url(), "status", "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("Engram API at " + RealEngram.url() + ": UP\n")
        .containsPattern("(?m)^  db +UP$")
        .containsPattern("(?m)^  temporal +UP$");
    Health health = IngestCommandIT.readOne(json.out(), Health.class);
    assertThat(health.details()).containsKeys("db", "temporal");
  }

  @Test
  void schedules_lists_the_ones_the_worker_registered() throws Exception {
    CliRunner.Result result = CliRunner.run("--api", RealEngram.url(), "schedules");
    CliRunner.Result json = CliRunner.run("--api", RealEngram.url(), "schedules", "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("ID ").contains("SPEC", "NEXT RUN", "PAUSED");
    ScheduleList schedules = IngestCommandIT.readOne(json.out(), ScheduleList.class);
    assertThat(schedules.schedules()).isNotEmpty();
    assertThat(result.out()).contains(schedules.schedules().get(0).id());
  }

  @Test
  void memory_stats_shows_the_tiers_and_the_memory_schedules() throws Exception {
    CliRunner.Result result = CliRunner.run("--api", RealEngram.url(), "memory", "stats");
    CliRunner.Result json =
        CliRunner.run("--api", RealEngram.url(), "memory", "stats", "--days", "3", "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("Memory\n")
        .contains("  working    ", "  episodic   ", "  semantic   ", "Schedules\n");
    MemoryStats stats = IngestCommandIT.readOne(json.out(), MemoryStats.class);
    assertThat(stats.days()).hasSize(3);
    assertThat(stats.schedules()).isNotNull();
  }

  @Test
  void a_promotion_dry_run_reports_what_would_move() throws Exception {
    CliRunner.Result result =
        CliRunner.run("--api", RealEngram.url(), "memory", "promote", "--dry-run");
    CliRunner.Result json =
        CliRunner.run("--api", RealEngram.url(), "memory", "promote", "--dry-run", "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("would promote 0 facts in \\d+ batch(es)?\n");
    PromotionStarted started = IngestCommandIT.readOne(json.out(), PromotionStarted.class);
    assertThat(started.result().dryRun()).isTrue();
    assertThat(started.result().promoted()).isZero();
  }
}
