package io.engram.core.ingestion;

import io.engram.core.db.BatchedChange;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** Ingestion runs as discovery recorded them ({@code ingestion_runs}), keyed by the run id. */
public final class IngestionRuns {

  /**
   * A discovered run.
   *
   * @param total documents the source listed
   * @param skipped of those, unchanged since they were indexed
   * @param tombstoned source URIs of documents gone from the source
   * @param duplicates source URIs the source listed again after their first record, once per repeat
   *     (only the first record is ingested)
   */
  public record Run(
      String runId,
      String collection,
      String origin,
      int indexVersionId,
      int total,
      int skipped,
      List<String> tombstoned,
      List<String> duplicates) {}

  private final Jdbi jdbi;

  public IngestionRuns(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public Optional<Run> find(String runId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT run_id, collection, origin, index_version_id, total, skipped,"
                        + " tombstoned, duplicates FROM ingestion_runs WHERE run_id = :runId")
                .bind("runId", runId)
                .map(ConstructorMapper.of(Run.class))
                .findOne());
  }

  /** Records a run inside the caller's transaction (the one that records its items). */
  public static void insert(Handle h, String workflowId, Run run) {
    h.createUpdate(
            "INSERT INTO ingestion_runs (run_id, workflow_id, collection, origin, index_version_id,"
                + " total, skipped, tombstoned, duplicates) VALUES (:runId, :workflowId, :collection,"
                + " :origin, :indexVersionId, :total, :skipped, :tombstoned, :duplicates)")
        .bindMethods(run)
        .bind("workflowId", workflowId)
        .execute();
  }

  /**
   * Deletes a collection's rows of {@code ingestion_runs} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "ingestion_runs", "run_id", "SELECT run_id FROM ingestion_runs WHERE collection = :key");
}
