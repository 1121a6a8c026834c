package io.engram.api.memory;

import io.engram.api.problems.ProblemResponses;
import io.engram.api.schedules.ScheduleService;
import io.engram.contract.Memory;
import io.engram.contract.Memory.EpisodicTier;
import io.engram.contract.Memory.MemoryDay;
import io.engram.contract.Memory.PromotionCall;
import io.engram.contract.Memory.PromotionStarted;
import io.engram.contract.Memory.SemanticTier;
import io.engram.contract.Memory.WorkingTier;
import io.engram.contract.Schedules.ScheduleView;
import io.engram.core.CoreServices;
import io.engram.core.memory.MemoryStats;
import io.engram.workflows.memory.MemoryJobs;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/memory/stats}: what each memory tier holds, the lifecycle events of the last days,
 * and the schedules that drive them. {@code POST /v1/memory/promotions}: a promotion on request,
 * typically a dry run.
 */
@Controller("/v1/memory")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class MemoryController {
  private static final Logger log = LoggerFactory.getLogger(MemoryController.class);

  private final MemoryStats stats;
  private final ScheduleService schedules;
  private final PromotionStarter promotions;

  MemoryController(CoreServices core, ScheduleService schedules, PromotionStarter promotions) {
    this.stats = new MemoryStats(core.jdbi());
    this.schedules = schedules;
    this.promotions = promotions;
  }

  /** 200 with the result when the promotion ends within a minute, else 202 with its run. */
  @Post("/promotions")
  @ApiResponse(
      responseCode = "200",
      description = "Ended within a minute: its result",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = PromotionStarted.class)))
  @ApiResponse(
      responseCode = "202",
      description = "Still running after a minute: its workflow id, no result yet",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = PromotionStarted.class)))
  HttpResponse<PromotionStarted> promote(@Valid @Nullable @Body PromotionCall call) {
    boolean dryRun = call != null && Boolean.TRUE.equals(call.dryRun());
    PromotionStarter.Outcome outcome = promotions.start(dryRun);
    PromotionStarted body = new PromotionStarted(outcome.workflowId(), outcome.result());
    return outcome.result() == null ? HttpResponse.accepted().body(body) : HttpResponse.ok(body);
  }

  @Get("/stats")
  Memory.MemoryStats stats(@Nullable @QueryValue @Min(1) @Max(90) Integer days)
      throws SQLException {
    MemoryStats.Snapshot s = stats.snapshot(Instant.now(), days == null ? 7 : days);
    List<ScheduleView> memorySchedules = null;
    String error = null;
    try {
      List<String> ids = MemoryJobs.MEMORY_SCHEDULED.stream().map(MemoryJobs::scheduleId).toList();
      memorySchedules = schedules.list(ids::contains);
    } catch (RuntimeException e) {
      log.warn("memory stats without schedules: {}", e.getMessage());
      error = "cannot list schedules (is Temporal up?): " + e.getMessage();
    }
    return new Memory.MemoryStats(
        new WorkingTier(s.openSessions(), s.turns()),
        new EpisodicTier(s.episodicActive(), s.episodicSuperseded()),
        new SemanticTier(s.semantic()),
        s.pendingCitations(),
        s.days().stream()
            .map(
                d ->
                    new MemoryDay(
                        d.day().toString(),
                        d.distilled(),
                        d.merged(),
                        d.superseded(),
                        d.promoted(),
                        d.expired()))
            .toList(),
        memorySchedules,
        error);
  }
}
