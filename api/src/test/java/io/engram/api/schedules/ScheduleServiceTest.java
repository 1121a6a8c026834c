package io.engram.api.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleServiceTest {
  private static final Instant NOW = Instant.parse("2026-12-07T05:00:00Z");

  @Test
  void a_missed_run_at_the_head_of_the_list_is_not_shown_as_the_next() {
    List<Instant> coming =
        List.of(Instant.parse("2026-12-07T04:45:00Z"), Instant.parse("2026-12-07T05:15:00Z"));

    assertThat(ScheduleService.nextRun(coming, NOW))
        .contains(Instant.parse("2026-12-07T05:15:00Z"));
  }

  @Test
  void a_run_due_now_is_the_next_and_nothing_to_come_shows_none() {
    assertThat(ScheduleService.nextRun(List.of(NOW), NOW)).contains(NOW);
    assertThat(ScheduleService.nextRun(List.of(Instant.parse("2026-12-07T04:45:00Z")), NOW))
        .isEmpty();
    assertThat(ScheduleService.nextRun(List.of(), NOW)).isEmpty();
  }
}
