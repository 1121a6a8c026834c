package io.engram.workflows.memory;

import java.util.List;

/**
 * What one promotion batch did.
 *
 * @param episodicIds facts promoted (or, in a dry run, that would be)
 * @param semanticIds their semantic ids (empty in a dry run)
 * @param lastId the cursor for the next batch
 * @param more whether another batch may follow
 * @param replayed true when this batch had committed before and this is its record
 */
public record PromotionBatchResult(
    List<Long> episodicIds, List<Long> semanticIds, long lastId, boolean more, boolean replayed) {

  public PromotionBatchResult {
    episodicIds = episodicIds == null ? List.of() : List.copyOf(episodicIds);
    semanticIds = semanticIds == null ? List.of() : List.copyOf(semanticIds);
  }
}
