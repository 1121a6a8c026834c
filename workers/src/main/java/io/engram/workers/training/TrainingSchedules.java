package io.engram.workers.training;

import io.engram.core.training.TrainingSettings;
import io.engram.workers.memory.ScheduleRegistrar;
import io.engram.workers.memory.ScheduleRegistrar.Registration;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.training.DriftRequest;
import io.engram.workflows.training.DriftWorkflow;
import io.engram.workflows.training.ScheduledRetrainingWorkflow;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model lifecycle's Temporal Schedules, registered at worker start the way the memory schedules
 * are ({@link ScheduleRegistrar#reconcile}): a stable id, so a restart or a second worker finds the
 * schedule rather than adding one; an update keeps an operator's pause and note. Today the drift
 * check ({@value DriftWorkflow#SCHEDULE_ID}, {@code ENGRAM_SCHEDULE_DRIFT_*}) and the scheduled
 * retraining ({@value ScheduledRetrainingWorkflow#SCHEDULE_ID}, {@code ENGRAM_SCHEDULE_RETRAIN_*}).
 */
public final class TrainingSchedules {
  private static final Logger log = LoggerFactory.getLogger(TrainingSchedules.class);

  private final ScheduleClient client;
  private final TrainingSettings settings;
  private final String profile;

  public TrainingSchedules(ScheduleClient client, TrainingSettings settings, String profile) {
    this.client = client;
    this.settings = settings;
    this.profile = profile;
  }

  /** Creates, updates or deletes each schedule to match the configuration. */
  public List<Registration> register() {
    return List.of(
        reconcile(
            DriftWorkflow.SCHEDULE_ID,
            drift(settings, profile),
            settings.driftSchedule().enabled()),
        reconcile(
            ScheduledRetrainingWorkflow.SCHEDULE_ID,
            retrain(settings, profile),
            settings.retrainSchedule().enabled()));
  }

  private Registration reconcile(String scheduleId, Schedule schedule, boolean enabled) {
    Registration registration = ScheduleRegistrar.reconcile(client, scheduleId, schedule, enabled);
    log.info("schedule {}: {}", registration.scheduleId(), registration.outcome());
    return registration;
  }

  /**
   * The scheduled retraining: every collection with a serving model is asked whether to retrain
   * (most answer {@code model_still_valid} in seconds), one at a time.
   */
  static Schedule retrain(TrainingSettings s, String profile) {
    String cron = s.retrainSchedule().cron();
    TrainingSettings.Triggers t = s.triggers();
    String summary = "Scheduled retraining of every collection with a serving model";
    String config =
        "retrains when: max age "
            + (t.maxAge() == null ? "off" : t.maxAge().toDays() + " d")
            + ", degradation "
            + (t.degradation() == null ? "off" : Math.round(t.degradation() * 100) + " %")
            + ", new feedback "
            + (t.newFeedback() == 0 ? "off" : t.newFeedback())
            + ", or changed data; search of at most "
            + s.search().trials()
            + " trials";
    return ScheduleRegistrar.cron(
        cron,
        ScheduleActionStartWorkflow.newBuilder()
            .setWorkflowType(ScheduledRetrainingWorkflow.class)
            .setOptions(
                WorkflowOptions.newBuilder()
                    .setWorkflowId(ScheduledRetrainingWorkflow.SCHEDULE_ID)
                    .setTaskQueue(TaskQueues.TRAINING)
                    .setStaticSummary(summary)
                    .setStaticDetails(ScheduleRegistrar.details(summary, cron, profile, config))
                    .build())
            .build(),
        Duration.ofHours(1));
  }

  /** The drift check's schedule: every collection, a retraining of those that drift. */
  static Schedule drift(TrainingSettings s, String profile) {
    String cron = s.driftSchedule().cron();
    TrainingSettings.Drift d = s.drift();
    String summary = "Drift check of every collection's live queries";
    String config =
        "windows of "
            + d.window()
            + " queries (at least "
            + d.minSample()
            + "); drift: PSI > "
            + d.psiDrift()
            + " and KS p < "
            + d.ksAlpha()
            + " on a feature; a drifting collection is retrained (trigger drift)";
    return ScheduleRegistrar.cron(
        cron,
        ScheduleActionStartWorkflow.newBuilder()
            .setWorkflowType(DriftWorkflow.class)
            .setArguments(DriftRequest.scheduled())
            .setOptions(
                WorkflowOptions.newBuilder()
                    // The server appends the scheduled time to this id for each run.
                    .setWorkflowId(DriftWorkflow.SCHEDULE_ID)
                    .setTaskQueue(TaskQueues.TRAINING)
                    .setStaticSummary(summary)
                    .setStaticDetails(ScheduleRegistrar.details(summary, cron, profile, config))
                    .build())
            .build(),
        Duration.ofMinutes(10));
  }
}
