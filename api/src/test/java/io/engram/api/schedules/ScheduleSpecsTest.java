package io.engram.api.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleRange;
import io.temporal.client.schedules.ScheduleSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleSpecsTest {

  /** What the server returns for {@code 0 3 * * *}: a calendar with full ranges for the stars. */
  @Test
  void a_calendar_reads_back_as_the_cron_it_came_from() {
    ScheduleCalendarSpec daily =
        ScheduleCalendarSpec.newBuilder()
            .setSeconds(List.of(new ScheduleRange(0)))
            .setMinutes(List.of(new ScheduleRange(0)))
            .setHour(List.of(new ScheduleRange(3)))
            .setDayOfMonth(List.of(new ScheduleRange(1, 31)))
            .setMonth(List.of(new ScheduleRange(1, 12)))
            .setDayOfWeek(List.of(new ScheduleRange(0, 6)))
            .build();
    assertThat(
            ScheduleSpecs.describe(ScheduleSpec.newBuilder().setCalendars(List.of(daily)).build()))
        .isEqualTo("0 3 * * *");

    ScheduleCalendarSpec everyFive =
        ScheduleCalendarSpec.newBuilder(daily)
            .setMinutes(List.of(new ScheduleRange(0, 59, 5)))
            .setHour(List.of(new ScheduleRange(0, 23)))
            .build();
    assertThat(ScheduleSpecs.cron(everyFive)).isEqualTo("*/5 * * * *");
    ScheduleCalendarSpec weekdays =
        ScheduleCalendarSpec.newBuilder(daily)
            .setHour(List.of(new ScheduleRange(0, 23, 6)))
            .setDayOfWeek(List.of(new ScheduleRange(1, 5)))
            .build();
    assertThat(ScheduleSpecs.cron(weekdays)).isEqualTo("0 */6 * * 1-5");
  }

  @Test
  void cron_strings_and_intervals_are_shown_as_given() {
    assertThat(
            ScheduleSpecs.describe(
                ScheduleSpec.newBuilder()
                    .setCronExpressions(List.of("0 2 * * *"))
                    .setIntervals(List.of(new ScheduleIntervalSpec(Duration.ofMinutes(5))))
                    .build()))
        .isEqualTo("0 2 * * * | every PT5M");
  }
}
