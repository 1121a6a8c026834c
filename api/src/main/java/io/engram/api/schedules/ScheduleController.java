package io.engram.api.schedules;

import io.engram.api.problems.ProblemResponses;
import io.engram.api.problems.Problems;
import io.engram.contract.Schedules.ScheduleList;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** {@code GET /v1/schedules}: the Temporal Schedules of the namespace, for operators. */
@Controller("/v1/schedules")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class ScheduleController {

  private final ScheduleService schedules;

  ScheduleController(ScheduleService schedules) {
    this.schedules = schedules;
  }

  @Get
  ScheduleList list() {
    try {
      return new ScheduleList(schedules.list());
    } catch (RuntimeException e) {
      throw Problems.unavailable("cannot list schedules (is Temporal up?): " + e.getMessage());
    }
  }
}
