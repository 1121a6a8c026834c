package io.engram.api.memory;

import io.engram.api.schedules.ScheduleService;
import io.engram.core.memory.MemoryStats;
import io.engram.workflows.memory.PromotionResult;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.SerdeImport;
import io.micronaut.serde.annotation.Serdeable;
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
@SerdeImport(PromotionResult.class)
@ExecuteOn(TaskExecutors.BLOCKING)
class MemoryController {
  private static final Logger log = LoggerFactory.getLogger(MemoryController.class);

  @Serdeable
  record Working(long openSessions, long turns) {}

  @Serdeable
  record Episodic(long active, long superseded) {}

  @Serdeable
  record Semantic(long facts) {}

  @Serdeable
  record Day(
      String day, long distilled, long merged, long superseded, long promoted, long expired) {}

  /**
   * The stats.
   *
   * @param schedules the memory lifecycle's schedules, or null when Temporal could not be asked
   * @param schedulesError why they are missing, or null
   */
  @Serdeable
  record Stats(
      Working working,
      Episodic episodic,
      Semantic semantic,
      long pendingCitations,
      List<Day> days,
      @Nullable List<ScheduleService.ScheduleView> schedules,
      @Nullable String schedulesError) {}

  /** A promotion to start; {@code dryRun} only reports what would be promoted. */
  @Serdeable
  record PromotionCall(@Nullable Boolean dryRun) {}

  /** The run's id and, when it finished within the wait, its result. */
  @Serdeable
  record PromotionStarted(String workflowId, @Nullable PromotionResult result) {}

  private final MemoryStats stats;
  private final ScheduleService schedules;
  private final PromotionStarter promotions;

  MemoryController(MemoryStats stats, ScheduleService schedules, PromotionStarter promotions) {
    this.stats = stats;
    this.schedules = schedules;
    this.promotions = promotions;
  }

  @Post("/promotions")
  HttpResponse<PromotionStarted> promote(@Nullable @Body PromotionCall call) {
    boolean dryRun = call != null && Boolean.TRUE.equals(call.dryRun());
    PromotionStarter.Outcome outcome = promotions.start(dryRun);
    PromotionStarted body = new PromotionStarted(outcome.workflowId(), outcome.result());
    return outcome.result() == null ? HttpResponse.accepted().body(body) : HttpResponse.ok(body);
  }

  @Get("/stats")
  Stats stats(@Nullable @QueryValue @Min(1) @Max(90) Integer days) throws SQLException {
    MemoryStats.Snapshot s = stats.snapshot(Instant.now(), days == null ? 7 : days);
    List<ScheduleService.ScheduleView> memorySchedules = null;
    String error = null;
    try {
      memorySchedules = schedules.list(id -> id.startsWith("engram-"));
    } catch (RuntimeException e) {
      log.warn("memory stats without schedules: {}", e.getMessage());
      error = "cannot list schedules (is Temporal up?): " + e.getMessage();
    }
    return new Stats(
        new Working(s.openSessions(), s.turns()),
        new Episodic(s.episodicActive(), s.episodicSuperseded()),
        new Semantic(s.semantic()),
        s.pendingCitations(),
        s.days().stream()
            .map(
                d ->
                    new Day(
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
