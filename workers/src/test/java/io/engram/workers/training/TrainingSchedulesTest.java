package io.engram.workers.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.config.EngramSettings;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.rollout.IndexRetentionWorkflow;
import io.engram.workflows.training.DriftRequest;
import io.engram.workflows.training.DriftWorkflow;
import io.engram.workflows.training.ScheduledRetrainingWorkflow;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingSchedulesTest {

  @Test
  void the_drift_check_runs_hourly_on_the_training_queue_for_every_collection() {
    EngramSettings settings = EngramSettings.defaults();
    Schedule schedule = TrainingSchedules.drift(settings.training(), "dev");
    ScheduleActionStartWorkflow action = (ScheduleActionStartWorkflow) schedule.getAction();

    assertThat(schedule.getSpec().getCronExpressions()).containsExactly("0 * * * *");
    assertThat(action.getWorkflowType()).isEqualTo("DriftWorkflow");
    assertThat(action.getOptions().getWorkflowId()).isEqualTo(DriftWorkflow.SCHEDULE_ID);
    assertThat(action.getOptions().getTaskQueue()).isEqualTo(TaskQueues.TRAINING);
    assertThat(action.getArguments().get(0, DriftRequest.class))
        .isEqualTo(new DriftRequest(null, true));
    assertThat(schedule.getPolicy().getOverlap())
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
    assertThat(action.getOptions().getStaticDetails())
        .contains("0 * * * *", "profile dev", "windows of 300", "PSI > 0.25", "KS p < 0.01");
  }

  @Test
  void a_changed_configuration_changes_the_details_which_is_what_triggers_an_update() {
    Schedule defaults = TrainingSchedules.drift(EngramSettings.defaults().training(), "dev");
    Schedule changed =
        TrainingSchedules.drift(
            EngramSettings.of(
                    Map.of(
                        "ENGRAM_SCHEDULE_DRIFT_CRON", "30 */2 * * *", "ENGRAM_DRIFT_WINDOW", "500"))
                .training(),
            "dev");

    assertThat(changed.getSpec().getCronExpressions()).containsExactly("30 */2 * * *");
    assertThat(((ScheduleActionStartWorkflow) changed.getAction()).getOptions().getStaticDetails())
        .contains("windows of 500")
        .isNotEqualTo(
            ((ScheduleActionStartWorkflow) defaults.getAction()).getOptions().getStaticDetails());
  }

  @Test
  void the_retraining_runs_weekly_on_the_training_queue_and_says_when_it_retrains() {
    Schedule schedule =
        TrainingSchedules.retrain(
            EngramSettings.of(Map.of("ENGRAM_PROFILE", "test")).training(), "test");
    ScheduleActionStartWorkflow action = (ScheduleActionStartWorkflow) schedule.getAction();

    assertThat(schedule.getSpec().getCronExpressions()).containsExactly("0 4 * * 0");
    assertThat(action.getWorkflowType()).isEqualTo("ScheduledRetrainingWorkflow");
    assertThat(action.getOptions().getWorkflowId())
        .isEqualTo(ScheduledRetrainingWorkflow.SCHEDULE_ID);
    assertThat(action.getOptions().getTaskQueue()).isEqualTo(TaskQueues.TRAINING);
    assertThat(schedule.getPolicy().getOverlap())
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
    assertThat(action.getOptions().getStaticDetails())
        .contains("profile test", "max age 7 d", "degradation 10 %", "at most 50 trials");
  }

  @Test
  void the_index_retention_sweep_runs_daily_on_the_training_queue_and_names_the_retention() {
    EngramSettings settings = EngramSettings.of(Map.of("ENGRAM_PROFILE", "prod"));
    Schedule schedule =
        TrainingSchedules.retention(settings.training(), settings.rollout().retention(), "prod");
    ScheduleActionStartWorkflow action = (ScheduleActionStartWorkflow) schedule.getAction();

    assertThat(schedule.getSpec().getCronExpressions()).containsExactly("30 3 * * *");
    assertThat(action.getWorkflowType()).isEqualTo("IndexRetentionWorkflow");
    assertThat(action.getOptions().getWorkflowId()).isEqualTo(IndexRetentionWorkflow.SCHEDULE_ID);
    assertThat(action.getOptions().getTaskQueue()).isEqualTo(TaskQueues.TRAINING);
    assertThat(action.getOptions().getStaticDetails()).contains("profile prod", "30 d after");
  }
}
