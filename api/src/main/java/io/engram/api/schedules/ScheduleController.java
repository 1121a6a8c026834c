package io.engram.api.schedules;

import io.engram.api.problems.Problems;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /v1/schedules}: the Temporal Schedules of the namespace, for operators. */
@Controller("/v1/schedules")
@ExecuteOn(TaskExecutors.BLOCKING)
class ScheduleController {

  @Serdeable
  record Schedules(List<ScheduleService.ScheduleView> schedules) {}

  private final ScheduleService schedules;

  ScheduleController(ScheduleService schedules) {
    this.schedules = schedules;
  }

  @Get
  Schedules list() {
    try {
      return new Schedules(schedules.list());
    } catch (RuntimeException e) {
      throw Problems.unavailable("cannot list schedules (is Temporal up?): " + e.getMessage());
    }
  }
}
