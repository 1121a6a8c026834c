package io.engram.workers.training;

import io.engram.core.memory.MemorySettings.JobSchedule;
import io.engram.core.training.TrainingSettings;
import io.engram.workers.memory.ScheduleRegistrar;
import io.engram.workers.memory.ScheduleRegistrar.Registration;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.rollout.IndexRetentionWorkflow;
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
 * check ({@value DriftWorkflow#SCHEDULE_ID}, {@code ENGRAM_SCHEDULE_DRIFT_*}), the scheduled
 * retraining ({@value ScheduledRetrainingWorkflow#SCHEDULE_ID}, {@code ENGRAM_SCHEDULE_RETRAIN_*})
 * and the index retention sweep ({@value IndexRetentionWorkflow#SCHEDULE_ID}, {@code
 * ENGRAM_SCHEDULE_INDEX_RETENTION_*}).
 */
public final class TrainingSchedules {
  private static final Logger log = LoggerFactory.getLogger(TrainingSchedules.class);

  private final ScheduleClient client;
  private final TrainingSettings settings;
  private final Duration rolloutRetention;
  private final String profile;

  public TrainingSchedules(
      ScheduleClient client, TrainingSettings settings, Duration rolloutRetention, String profile) {
    this.client = client;
    this.settings = settings;
    this.rolloutRetention = rolloutRetention;
    this.profile = profile;
  }

  /** Creates, updates or deletes each schedule to match the configuration. */
  public List<Registration> register() {
    return List.of(
        reconcile(DriftWorkflow.SCHEDULE_ID, drift(settings, profile), settings.driftSchedule()),
        reconcile(
            ScheduledRetrainingWorkflow.SCHEDULE_ID,
            retrain(settings, profile),
            settings.retrainSchedule()),
        reconcile(
            IndexRetentionWorkflow.SCHEDULE_ID,
            retention(settings, rolloutRetention, profile),
            settings.retentionSchedule()));
  }

  private Registration reconcile(String id, Schedule schedule, JobSchedule configured) {
    Registration r = ScheduleRegistrar.reconcile(client, id, schedule, configured.enabled());
    log.info("schedule {}: {}", r.scheduleId(), r.outcome());
    return r;
  }

  /**
   * The scheduled retraining: every collection with a serving model is asked whether to retrain
   * (most answer {@code model_still_valid} in seconds), one at a time.
   */
  static Schedule retrain(TrainingSettings s, String profile) {
    TrainingSettings.Triggers t = s.triggers();
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
    return schedule(
        ScheduledRetrainingWorkflow.class,
        ScheduledRetrainingWorkflow.SCHEDULE_ID,
        s.retrainSchedule().cron(),
        new Details(
            "Scheduled retraining of every collection with a serving model", profile, config),
        Duration.ofHours(1));
  }

  /** The drift check's schedule: every collection, a retraining of those that drift. */
  static Schedule drift(TrainingSettings s, String profile) {
    TrainingSettings.Drift d = s.drift();
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
    return schedule(
        DriftWorkflow.class,
        DriftWorkflow.SCHEDULE_ID,
        s.driftSchedule().cron(),
        new Details("Drift check of every collection's live queries", profile, config),
        Duration.ofMinutes(10),
        DriftRequest.scheduled());
  }

  /** The daily sweep that drops the indexes versions lost rollouts with, after the retention. */
  static Schedule retention(TrainingSettings s, Duration rolloutRetention, String profile) {
    String config =
        "an index is dropped "
            + rolloutRetention.toDays()
            + " d after the rollout it lost ended, unless a version with an alias searches it";
    return schedule(
        IndexRetentionWorkflow.class,
        IndexRetentionWorkflow.SCHEDULE_ID,
        s.retentionSchedule().cron(),
        new Details("Drop the indexes that versions lost rollouts with", profile, config),
        Duration.ofHours(1));
  }

  /** What a schedule's runs show in the Temporal UI: a summary, and the configuration behind it. */
  private record Details(String summary, String profile, String config) {}

  /**
   * A cron schedule starting {@code workflow} on task queue {@code training} under {@code id} (the
   * server appends the scheduled time for each run), catching up runs missed by at most {@code
   * catchup}.
   */
  private static Schedule schedule(
      Class<?> workflow,
      String id,
      String cron,
      Details details,
      Duration catchup,
      Object... arguments) {
    return ScheduleRegistrar.cron(
        cron,
        ScheduleActionStartWorkflow.newBuilder()
            .setWorkflowType(workflow)
            .setArguments(arguments)
            .setOptions(
                WorkflowOptions.newBuilder()
                    .setWorkflowId(id)
                    .setTaskQueue(TaskQueues.TRAINING)
                    .setStaticSummary(details.summary())
                    .setStaticDetails(
                        ScheduleRegistrar.details(
                            details.summary(), cron, details.profile(), details.config()))
                    .build())
            .build(),
        catchup);
  }
}
