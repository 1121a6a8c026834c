package io.engram.workers.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.config.EngramSettings;
import io.engram.core.memory.MemorySettings;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.memory.IncrementalIngestRequest;
import io.engram.workflows.memory.IngestSource;
import io.engram.workflows.memory.MemoryJobs;
import io.engram.workflows.memory.PromotionRequest;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleRegistrarTest {

  private static ScheduleActionStartWorkflow action(Schedule schedule) {
    return (ScheduleActionStartWorkflow) schedule.getAction();
  }

  @Test
  void every_job_gets_a_schedule_on_the_maintenance_queue_with_its_job_type() {
    Map<String, Schedule> desired = ScheduleRegistrar.desired(EngramSettings.defaults().memory());
    assertThat(desired).containsOnlyKeys(MemoryJobs.SCHEDULED);
    desired.forEach(
        (job, schedule) -> {
          var options = action(schedule).getOptions();
          assertThat(options.getWorkflowId()).isEqualTo(MemoryJobs.scheduleId(job));
          assertThat(options.getTaskQueue()).isEqualTo(TaskQueues.MAINTENANCE);
          assertThat(options.getTypedSearchAttributes().get(EngramSearchAttributes.JOB_TYPE))
              .isEqualTo(job);
          assertThat(options.getStaticSummary()).isNotBlank();
        });
    assertThat(desired.get(MemoryJobs.PROMOTION).getSpec().getCronExpressions())
        .containsExactly("0 3 * * *");
    assertThat(action(desired.get(MemoryJobs.PROMOTION)).getWorkflowType())
        .isEqualTo("PromotionWorkflow");
  }

  @Test
  void the_configuration_goes_into_the_arguments_and_the_details() {
    MemorySettings settings =
        EngramSettings.of(
                Map.of(
                    "ENGRAM_PROMOTION_MIN_CITATIONS", "3",
                    "ENGRAM_PROMOTION_MIN_AGE", "2d",
                    "ENGRAM_INCREMENTAL_INGEST_DIRS", "notes=/srv/notes"))
            .memory();
    Map<String, Schedule> desired = ScheduleRegistrar.desired(settings);
    assertThat(
            action(desired.get(MemoryJobs.PROMOTION)).getArguments().get(0, PromotionRequest.class))
        .isEqualTo(new PromotionRequest(false, 0.8, 3, Duration.ofDays(2), 100, null));
    assertThat(action(desired.get(MemoryJobs.PROMOTION)).getOptions().getStaticDetails())
        .contains("citations > 3", "age > 2d", "0 3 * * *", "profile dev");
    assertThat(
            action(desired.get(MemoryJobs.INCREMENTAL_INGEST))
                .getArguments()
                .get(0, IncrementalIngestRequest.class))
        .isEqualTo(new IncrementalIngestRequest(List.of(new IngestSource("notes", "/srv/notes"))));
    // A change of configuration is a change of details: that is what triggers an update.
    assertThat(action(desired.get(MemoryJobs.PROMOTION)).getOptions().getStaticDetails())
        .isNotEqualTo(
            action(
                    ScheduleRegistrar.desired(EngramSettings.defaults().memory())
                        .get(MemoryJobs.PROMOTION))
                .getOptions()
                .getStaticDetails());
  }

  @Test
  void durations_read_as_they_are_configured() {
    assertThat(ScheduleRegistrar.human(Duration.ofDays(7))).isEqualTo("7d");
    assertThat(ScheduleRegistrar.human(Duration.ofHours(6))).isEqualTo("6h");
    assertThat(ScheduleRegistrar.human(Duration.ofMinutes(30))).isEqualTo("30m");
    assertThat(ScheduleRegistrar.human(Duration.ofSeconds(90))).isEqualTo("90s");
  }
}
