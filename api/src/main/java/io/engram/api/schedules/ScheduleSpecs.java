package io.engram.api.schedules;

import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleRange;
import io.temporal.client.schedules.ScheduleSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a schedule's spec the way it was most likely written. The server keeps cron expressions
 * as calendar specs, so those are turned back into five-field cron strings; intervals read as
 * {@code every PT5M}.
 */
final class ScheduleSpecs {
  private ScheduleSpecs() {}

  static String describe(ScheduleSpec spec) {
    List<String> parts = new ArrayList<>(orEmpty(spec.getCronExpressions()));
    for (ScheduleCalendarSpec calendar : orEmpty(spec.getCalendars())) {
      parts.add(cron(calendar));
    }
    for (ScheduleIntervalSpec interval : orEmpty(spec.getIntervals())) {
      parts.add(
          "every "
              + interval.getEvery()
              + (interval.getOffset() == null || interval.getOffset().isZero()
                  ? ""
                  : " offset " + interval.getOffset()));
    }
    String rendered = parts.isEmpty() ? "(none)" : String.join(" | ", parts);
    String zone = spec.getTimeZoneName();
    return zone == null || zone.isBlank() || zone.equals("UTC") ? rendered : rendered + " " + zone;
  }

  /** A calendar spec as {@code minute hour day-of-month month day-of-week}. */
  static String cron(ScheduleCalendarSpec c) {
    String cron =
        String.join(
            " ",
            field(c.getMinutes(), 0, 59),
            field(c.getHour(), 0, 23),
            field(c.getDayOfMonth(), 1, 31),
            field(c.getMonth(), 1, 12),
            field(c.getDayOfWeek(), 0, 6));
    List<ScheduleRange> seconds = orEmpty(c.getSeconds());
    boolean onTheMinute =
        seconds.isEmpty()
            || (seconds.size() == 1
                && seconds.get(0).getStart() == 0
                && seconds.get(0).getEnd() <= 0);
    return onTheMinute ? cron : field(seconds, 0, 59) + " " + cron;
  }

  /** The SDK leaves unset lists null. */
  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  static String field(List<ScheduleRange> ranges, int min, int max) {
    if (ranges == null || ranges.isEmpty()) {
      return "*";
    }
    List<String> out = new ArrayList<>();
    for (ScheduleRange r : ranges) {
      int end = Math.max(r.getStart(), r.getEnd());
      int step = Math.max(1, r.getStep());
      boolean full = r.getStart() <= min && end >= max;
      String span;
      if (full) {
        span = "*";
      } else if (end == r.getStart()) {
        span = Integer.toString(r.getStart());
      } else {
        span = r.getStart() + "-" + end;
      }
      out.add(step > 1 ? span + "/" + step : span);
    }
    return String.join(",", out);
  }
}
