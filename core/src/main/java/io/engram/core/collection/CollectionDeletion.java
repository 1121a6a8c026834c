package io.engram.core.collection;

import io.engram.core.db.BatchedChange;
import io.engram.core.drift.DriftReports;
import io.engram.core.evaluation.EvaluationAnswers;
import io.engram.core.evaluation.EvaluationQueries;
import io.engram.core.evaluation.EvaluationRuns;
import io.engram.core.ingestion.DocumentIndexes;
import io.engram.core.ingestion.Documents;
import io.engram.core.ingestion.IngestionItems;
import io.engram.core.ingestion.IngestionRuns;
import io.engram.core.ingestion.Manifests;
import io.engram.core.memory.DistillationBatches;
import io.engram.core.memory.DistillationState;
import io.engram.core.memory.EpisodicMemory;
import io.engram.core.memory.FactCitations;
import io.engram.core.memory.SemanticMemory;
import io.engram.core.memory.Sessions;
import io.engram.core.memory.Turns;
import io.engram.core.querylog.Feedback;
import io.engram.core.querylog.QueryLog;
import io.engram.core.registry.AliasEvents;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelVersions;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutAssignments;
import io.engram.core.rollout.RolloutEvents;
import io.engram.core.rollout.RolloutObservations;
import io.engram.core.rollout.Rollouts;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.tuning.StudyRecords;
import io.engram.core.tuning.TrialRecords;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.jdbi.v3.core.Jdbi;

/**
 * Deletes a whole collection: everything kept per collection, table by table through each table's
 * owner, in bounded batches, then the collection itself. The capability behind {@code DELETE
 * /v1/collections/{name}}, which the {@code CollectionDeletionWorkflow} drives step by step.
 *
 * <p>Three steps, each safe to repeat: {@link #begin} marks the collection as being deleted and
 * moves its generation on (from then on it is not listed, nothing finds it and nothing recreates
 * it); {@link #purge} deletes one kind of row, {@value #BATCH} rows per transaction, until none is
 * left, so a purge cut off half way resumes where it stopped; {@link #finish} removes the
 * collection's row. Kinds go in {@link #kinds()} order, children before the rows they reference.
 *
 * <p>What a deletion keeps: the index versions, their HNSW indexes and the embedding cache (shared
 * by every collection of the installation), uploaded blobs (content-addressed, shared by the
 * tenant's uploads and other collections, and named by workflow inputs no table records), the daily
 * memory event counts and promotion batch audit rows (installation-wide, they name no collection).
 * Memory facts distilled from the collection's sessions go with it: every episodic fact belongs to
 * a session (a foreign key that cascades), every session to its collection, and semantic facts are
 * searched only within their collection, so a fact kept would be out of reach, or come back in a
 * new collection of the same name.
 */
public final class CollectionDeletion {
  /** Rows one transaction of a purge deletes at most. */
  public static final int BATCH = 1000;

  /** The kinds of rows a collection has, in the order they are deleted, by table name. */
  private static final Map<String, BatchedChange<String>> KINDS =
      byTable(
          List.of(
              RolloutObservations.DELETE_OF_COLLECTION,
              RolloutAssignments.DELETE_OF_COLLECTION,
              RolloutEvents.DELETE_OF_COLLECTION,
              Rollouts.DELETE_OF_COLLECTION,
              Feedback.DELETE_OF_COLLECTION,
              QueryLog.DELETE_OF_COLLECTION,
              EvaluationAnswers.DELETE_OF_COLLECTION,
              EvaluationQueries.DELETE_OF_COLLECTION,
              EvaluationRuns.DELETE_OF_COLLECTION,
              TrialRecords.DELETE_OF_COLLECTION,
              StudyRecords.DELETE_OF_COLLECTION,
              DriftReports.DELETE_OF_COLLECTION,
              ModelAliases.DELETE_OF_COLLECTION,
              AliasEvents.DELETE_OF_COLLECTION,
              ModelVersions.DELETE_OF_COLLECTION,
              FactCitations.DELETE_OF_COLLECTION,
              SemanticMemory.DELETE_OF_COLLECTION,
              EpisodicMemory.DELETE_OF_COLLECTION,
              DistillationBatches.DELETE_OF_COLLECTION,
              DistillationState.DELETE_OF_COLLECTION,
              Turns.DELETE_OF_COLLECTION,
              Sessions.DELETE_OF_COLLECTION,
              IngestionItems.DELETE_OF_COLLECTION,
              IngestionRuns.DELETE_OF_COLLECTION,
              Manifests.DELETE_OF_COLLECTION,
              PgVectorChunkStore.DELETE_OF_COLLECTION,
              DocumentIndexes.DELETE_OF_COLLECTION,
              Documents.DELETE_OF_COLLECTION));

  private final Jdbi jdbi;
  private final Rollouts rollouts;
  private final int batch;

  /**
   * @param batch rows one transaction deletes at most ({@link #BATCH}; tests take fewer)
   */
  public CollectionDeletion(Jdbi jdbi, Rollouts rollouts, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be positive");
    }
    this.jdbi = jdbi;
    this.rollouts = rollouts;
    this.batch = batch;
  }

  /** The kinds of rows {@link #purge} deletes, in the order it must be asked for them. */
  public static List<String> kinds() {
    return List.copyOf(KINDS.keySet());
  }

  /**
   * What in the database stops the collection from being deleted: its running rollout, which routes
   * its queries and must be aborted first (the caller asks Temporal about other running work).
   */
  public Optional<Rollout> runningRollout(String key) {
    return rollouts.running(key);
  }

  /**
   * Marks the collection as being deleted and moves its generation on, in one transaction; marking
   * it again changes nothing.
   *
   * @return the collection's state before ({@link CollectionRegistry.State#ABSENT} when there is no
   *     such collection, or its deletion has finished)
   */
  public CollectionRegistry.State begin(String key) {
    return jdbi.inTransaction(h -> CollectionRegistry.markDeleting(h, key));
  }

  /**
   * Deletes the collection's rows of {@code kind}, {@value #BATCH} (or the configured batch) per
   * transaction, until none is left; after each batch {@code progress} hears the rows deleted so
   * far (to heartbeat). Deletes nothing of a collection that is not being deleted.
   *
   * @return the rows deleted
   * @throws IllegalArgumentException when {@code kind} is not one of {@link #kinds()}
   */
  public long purge(String key, String kind, LongConsumer progress) {
    BatchedChange<String> delete = KINDS.get(kind);
    if (delete == null) {
      throw new IllegalArgumentException("no kind of row '" + kind + "'; one of " + kinds());
    }
    return BatchedChange.repeat(
        jdbi,
        h ->
            CollectionRegistry.state(h, key) == CollectionRegistry.State.DELETING
                ? delete.apply(h, key, batch)
                : 0,
        progress);
  }

  /**
   * Removes the row of a collection being deleted, the last step. Rows written after their kind was
   * purged (the log row of a query answered just before the mark, a step of a run that began just
   * before it) go first: the collection's row, which most of them reference, can only go after
   * them. One written in between fails the removal, and a retry sweeps again.
   *
   * @return whether it removed the row (false when it was gone already)
   */
  public boolean finish(String key) {
    for (String kind : kinds()) {
      purge(key, kind, n -> {});
    }
    return jdbi.inTransaction(h -> CollectionRegistry.removeDeleted(h, key));
  }

  private static Map<String, BatchedChange<String>> byTable(List<BatchedChange<String>> changes) {
    Map<String, BatchedChange<String>> kinds = new LinkedHashMap<>();
    for (BatchedChange<String> change : changes) {
      if (kinds.put(change.table(), change) != null) {
        throw new IllegalStateException("two deletions of " + change.table());
      }
    }
    return java.util.Collections.unmodifiableMap(kinds);
  }
}
