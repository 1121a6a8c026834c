package io.engram.contract;

import java.util.List;

/** {@code GET /v1/schedules}: the Temporal Schedules of the namespace, for operators. */
public final class Schedules {
  private Schedules() {}

  public record ScheduleList(List<ScheduleView> schedules) {
    public ScheduleList {
      schedules = schedules == null ? List.of() : List.copyOf(schedules);
    }
  }

  /**
   * One schedule.
   *
   * @param spec when it runs, e.g. {@code 0 3 * * *} (UTC)
   * @param workflowType the type of workflow it starts
   * @param jobType the {@code EngramJobType} of its runs, or null for other schedules
   * @param note why it is paused, when an operator said
   * @param nextRun the next time it fires, or null when paused or finished
   * @param lastRun when it last started a run, or null
   * @param summary what its runs do
   */
  public record ScheduleView(
      String id,
      String spec,
      String workflowType,
      String jobType,
      boolean paused,
      String note,
      String nextRun,
      String lastRun,
      String summary) {}
}
