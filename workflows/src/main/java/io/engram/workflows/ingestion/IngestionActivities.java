package io.engram.workflows.ingestion;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** The ingestion steps. Implementations live in the activities module. */
@ActivityInterface
public interface IngestionActivities {

  /**
   * Lists the source, skips unchanged documents by content hash, records the rest as the run's
   * items and tombstones documents gone from the source.
   *
   * <p>Idempotent by {@code runId}: the run and its items are written in one transaction, and a
   * retry that finds them returns the same result without scanning again.
   *
   * @throws io.temporal.failure.ApplicationFailure of type {@code InvalidSource} (non-retryable)
   *     when the source does not exist or the upload manifest is gone
   */
  @ActivityMethod
  DiscoveryResult discover(String runId, IngestionRequest request);

  /**
   * Parses, splits, embeds and stores the run's items {@code fromSeq <= seq < toSeq}. Heartbeats
   * with the last finished sequence number.
   *
   * <p>Idempotent per item: only items still pending are processed, and each document's chunks are
   * replaced and its item marked done in one transaction, so a retry after a crash neither loses
   * nor duplicates a chunk. A document that cannot be ingested is recorded as failed and counted,
   * not thrown.
   */
  @ActivityMethod
  BatchResult processBatch(String runId, int fromSeq, int toSeq);

  /**
   * Checks what the run stored against the index version it wrote: every stored document still has
   * all its chunks there (one that lacks some is failed, and stored again by the next ingestion), a
   * spread of them is found by searching for their own vectors, and the version's HNSW index is
   * usable. Heartbeats as it pages through the run's items.
   *
   * <p>Idempotent: a retry finds the documents an earlier attempt failed already failed, and
   * reports the rest alike.
   */
  @ActivityMethod
  ValidationReport validate(String runId);

  /**
   * The indexes other than {@code indexVersionId} that some version of the collection can serve
   * from (a rollout's candidate, a staged version's, the undo target's), each with the id of the
   * child rebuild that brings the run's documents there. Empty when every version searches one
   * index. Reads only.
   */
  @ActivityMethod
  List<FollowingIndex> following(String collection, int indexVersionId);
}
