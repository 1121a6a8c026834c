package io.engram.workflows.memory;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The promotion step. Implementations live in the activities module. */
@ActivityInterface
public interface PromotionActivities {

  /**
   * Promotes one batch: copies the facts to semantic memory and deletes them from episodic memory
   * in one database transaction, recording the batch under {@code (runKey, batchNo)} in the same
   * transaction.
   *
   * <p>Idempotent: a retry finds the record and returns it, so a batch that committed but whose
   * result was lost (a worker killed between batches) is neither lost nor promoted twice; the
   * semantic table's unique episodic id guards against any other double copy. A dry run writes
   * nothing.
   */
  @ActivityMethod
  PromotionBatchResult promoteBatch(PromotionBatch batch);
}
