package io.engram.api.schedules;

import io.engram.contract.Schedules.ScheduleView;
import io.engram.workflows.common.EngramSearchAttributes;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleListDescription;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Reads the namespace's Temporal Schedules for operators. */
@Singleton
public class ScheduleService {

  private final ScheduleClient client;

  ScheduleService(ScheduleClient client) {
    this.client = client;
  }

  /** Every schedule of the namespace, by id; each described, so its state is current. */
  public List<ScheduleView> list() {
    return list(id -> true);
  }

  public List<ScheduleView> list(Predicate<String> ids) {
    List<String> found =
        client
            .listSchedules()
            .map(ScheduleListDescription::getScheduleId)
            .filter(ids)
            .distinct()
            .sorted()
            .toList();
    List<ScheduleView> views = new ArrayList<>();
    for (String id : found) {
      ScheduleDescription d;
      try {
        d = client.getHandle(id).describe();
      } catch (RuntimeException deletedMeanwhile) {
        // Listing lags deletion by a moment; a schedule that is gone is not shown.
        continue;
      }
      views.add(view(d, Instant.now()));
    }
    return views;
  }

  static ScheduleView view(ScheduleDescription d, Instant now) {
    Schedule schedule = d.getSchedule();
    String workflowType = null;
    String jobType = null;
    String summary = null;
    if (schedule.getAction() instanceof ScheduleActionStartWorkflow start) {
      workflowType = start.getWorkflowType();
      if (start.getOptions() != null) {
        summary = start.getOptions().getStaticSummary();
        if (start.getOptions().getTypedSearchAttributes() != null
            && start
                .getOptions()
                .getTypedSearchAttributes()
                .containsKey(EngramSearchAttributes.JOB_TYPE)) {
          jobType =
              start.getOptions().getTypedSearchAttributes().get(EngramSearchAttributes.JOB_TYPE);
        }
      }
    }
    boolean paused = schedule.getState() != null && schedule.getState().isPaused();
    List<Instant> next =
        d.getInfo().getNextActionTimes() == null ? List.of() : d.getInfo().getNextActionTimes();
    List<ScheduleActionResult> recent =
        d.getInfo().getRecentActions() == null ? List.of() : d.getInfo().getRecentActions();
    Instant last =
        recent.stream()
            .map(ScheduleActionResult::getStartedAt)
            .max(Comparator.naturalOrder())
            .orElse(null);
    String note = schedule.getState() == null ? null : schedule.getState().getNote();
    return new ScheduleView(
        d.getId(),
        ScheduleSpecs.describe(schedule.getSpec()),
        workflowType,
        jobType,
        paused,
        note == null || note.isBlank() ? null : note,
        paused ? null : nextRun(next, now).map(Instant::toString).orElse(null),
        last == null ? null : last.toString(),
        summary);
  }

  /**
   * The first of the schedule's coming action times that is not already past. Temporal keeps a run
   * that was missed (the workers were down) at the head of the list until the following one is
   * taken, which read as a "next run" in the past; with none still to come, there is none to show.
   */
  static Optional<Instant> nextRun(List<Instant> coming, Instant now) {
    return coming.stream().filter(t -> !t.isBefore(now)).min(Comparator.naturalOrder());
  }
}
