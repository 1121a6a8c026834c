package io.engram.workflows.memory;

import java.util.List;

/**
 * What a promotion run did (or, for a dry run, would do): served by its query while it runs and
 * returned at the end.
 *
 * @param runKey the key its batches are recorded under in {@code promotion_batches}
 * @param phase {@code flushing}, {@code promoting} or {@code done}
 * @param citationsFlushed buffered citations folded into the facts before the scan
 * @param batches batches run
 * @param promoted facts promoted (or that would be)
 * @param episodicIds their episodic ids (the first {@link #MAX_IDS})
 * @param semanticIds their new semantic ids (the first {@link #MAX_IDS}; none in a dry run)
 */
public record PromotionResult(
    String runKey,
    boolean dryRun,
    String phase,
    long citationsFlushed,
    int batches,
    long promoted,
    List<Long> episodicIds,
    List<Long> semanticIds) {

  public static final int MAX_IDS = 1000;

  public PromotionResult {
    episodicIds = episodicIds == null ? List.of() : List.copyOf(episodicIds);
    semanticIds = semanticIds == null ? List.of() : List.copyOf(semanticIds);
  }
}
