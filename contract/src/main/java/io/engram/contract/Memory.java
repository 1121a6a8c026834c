package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.List;

/** {@code /v1/memory}: what each memory tier holds, and promotions on request. */
public final class Memory {
  private Memory() {}

  /**
   * The stats.
   *
   * @param pendingCitations citations buffered and not yet folded into the facts' salience
   * @param days lifecycle events per day, newest first
   * @param schedules the memory lifecycle's schedules, or null when Temporal could not be asked
   * @param schedulesError why they are missing, or null
   */
  public record MemoryStats(
      WorkingTier working,
      EpisodicTier episodic,
      SemanticTier semantic,
      long pendingCitations,
      List<MemoryDay> days,
      // An empty list (no schedules) is sent as such: only null means they could not be listed.
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Schedules.ScheduleView> schedules,
      String schedulesError) {

    public MemoryStats {
      days = days == null ? List.of() : List.copyOf(days);
    }
  }

  public record WorkingTier(long openSessions, long turns) {}

  public record EpisodicTier(long active, long superseded) {}

  public record SemanticTier(long facts) {}

  /** One day's lifecycle events. */
  public record MemoryDay(
      String day, long distilled, long merged, long superseded, long promoted, long expired) {}

  /**
   * A promotion to start.
   *
   * @param dryRun only report what would be promoted (default false). An explicit {@code null} is
   *     refused rather than read as absent: a client that meant a dry run must not promote for
   *     real.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PromotionCall(@JsonSetter(nulls = Nulls.FAIL) Boolean dryRun) {}

  /**
   * The run's id and, when it finished within the wait, its result.
   *
   * @param result null while the run continues (the answer is then 202)
   */
  public record PromotionStarted(String workflowId, PromotionOutcome result) {}

  /**
   * What a promotion run did (or, for a dry run, would do). Also the promotion workflow's result
   * and what its query serves while it runs, so it is a Temporal payload too: its JSON must stay
   * readable from recorded histories.
   *
   * @param runKey the key its batches are recorded under in {@code promotion_batches}
   * @param dryRun whether it only reports what would be promoted
   * @param phase {@code flushing}, {@code promoting} or {@code done}
   * @param citationsFlushed buffered citations folded into the facts before the scan
   * @param batches batches run
   * @param promoted facts promoted (or that would be)
   * @param episodicIds their episodic ids (the first thousand)
   * @param semanticIds their new semantic ids (the first thousand; none in a dry run)
   */
  public record PromotionOutcome(
      String runKey,
      boolean dryRun,
      String phase,
      long citationsFlushed,
      int batches,
      long promoted,
      List<Long> episodicIds,
      List<Long> semanticIds) {

    public PromotionOutcome {
      episodicIds = episodicIds == null ? List.of() : List.copyOf(episodicIds);
      semanticIds = semanticIds == null ? List.of() : List.copyOf(semanticIds);
    }
  }
}
