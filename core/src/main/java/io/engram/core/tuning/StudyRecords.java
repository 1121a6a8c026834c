package io.engram.core.tuning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.db.BatchedChange;
import io.engram.core.db.Columns;
import io.engram.core.db.Rows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/** Studies as stored ({@code studies}): one hyperparameter search each, keyed by its workflow. */
public final class StudyRecords {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS =
      "id, collection, workflow_id, direction, space, sampler, sampler_options, seed,"
          + " pruner, enqueued, warm_start_study_id, state, stop_reason, best_trial, created_at,"
          + " finished_at";

  /**
   * What a study is, fixed when it is created.
   *
   * @param samplerOptions the sampler's options as JSON ({@code {}} for random search)
   * @param pruner null when trials are never pruned
   * @param enqueued parameter sets tried first: trial n takes the n-th (a set may be partial)
   * @param warmStartStudyId the earlier study whose best trials were enqueued, if any
   */
  public record Definition(
      String collection,
      String workflowId,
      Direction direction,
      SearchSpace space,
      String sampler,
      String samplerOptions,
      long seed,
      MedianPruner pruner,
      List<Params> enqueued,
      Long warmStartStudyId) {}

  /**
   * One stored study: its definition and how far it has got.
   *
   * @param state {@code running}, {@code complete} or {@code failed}
   * @param bestTrial the number of the best complete trial so far, null before one completes
   */
  public record Row(
      long id,
      Definition definition,
      String state,
      String stopReason,
      Integer bestTrial,
      Instant createdAt,
      Instant finishedAt) {}

  private static final RowMapper<Row> ROW =
      (rs, ctx) -> {
        SearchSpace space = SearchSpace.fromJson(rs.getString(5));
        String pruner = rs.getString(9);
        return new Row(
            rs.getLong(1),
            new Definition(
                rs.getString(2),
                rs.getString(3),
                Direction.fromStored(rs.getString(4)),
                space,
                rs.getString(6),
                rs.getString(7),
                rs.getLong(8),
                pruner == null ? null : read(pruner, MedianPruner.class),
                enqueued(rs.getString(10), space),
                (Long) rs.getObject(11)),
            rs.getString(12),
            rs.getString(13),
            (Integer) rs.getObject(14),
            Columns.instant(rs, 15),
            Columns.instant(rs, 16));
      };

  private static final Rows<Row> STUDIES = new Rows<>(COLUMNS, "studies", ROW);

  private final Jdbi jdbi;

  public StudyRecords(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public Optional<Row> byId(long id) {
    return jdbi.withHandle(h -> byId(h, id));
  }

  public Optional<Row> byWorkflowId(String workflowId) {
    return jdbi.withHandle(h -> byWorkflowId(h, workflowId));
  }

  static Optional<Row> byId(Handle h, long id) {
    return STUDIES.one(h, "WHERE id = :id", q -> q.bind("id", id));
  }

  static Optional<Row> byWorkflowId(Handle h, String workflowId) {
    return STUDIES.one(h, "WHERE workflow_id = :workflowId", q -> q.bind("workflowId", workflowId));
  }

  /**
   * Locks the study's row for the caller's transaction, so asks and tells of one study take turns.
   *
   * @throws IllegalStateException when there is no such study
   */
  static Row lock(Handle h, long id) {
    return STUDIES
        .one(h, "WHERE id = :id FOR UPDATE", q -> q.bind("id", id))
        .orElseThrow(() -> new IllegalStateException("no study " + id));
  }

  /**
   * Records a new study unless its workflow already has one.
   *
   * @return the new study's id, empty when the workflow id was taken
   */
  static Optional<Long> insert(Handle h, Definition row) {
    return h.createQuery(
            "INSERT INTO studies (collection, workflow_id, direction, space, sampler,"
                + " sampler_options, seed, pruner, enqueued, warm_start_study_id) VALUES"
                + " (:collection, :workflowId, :direction, :space::jsonb, :sampler,"
                + " :samplerOptions::jsonb, :seed, :pruner::jsonb, :enqueued::jsonb,"
                + " :warmStartStudyId) ON CONFLICT (workflow_id) DO NOTHING RETURNING id")
        .bind("collection", row.collection())
        .bind("workflowId", row.workflowId())
        .bind("direction", row.direction().stored())
        .bind("space", row.space().toJson())
        .bind("sampler", row.sampler())
        .bind("samplerOptions", row.samplerOptions())
        .bind("seed", row.seed())
        .bind("pruner", row.pruner() == null ? null : write(row.pruner()))
        .bind("enqueued", write(row.enqueued()))
        .bind("warmStartStudyId", row.warmStartStudyId())
        .mapTo(Long.class)
        .findOne();
  }

  /** The collection's latest study with at least one complete trial: where a warm start looks. */
  static Optional<Row> latestWithResults(Handle h, String collection) {
    return STUDIES.one(
        h,
        "WHERE collection = :collection AND EXISTS (SELECT 1 FROM trials t WHERE t.study_id ="
            + " studies.id AND t.state = 'complete') ORDER BY id DESC LIMIT 1",
        q -> q.bind("collection", collection));
  }

  /** Points the study at its best complete trial, inside the transaction that finished a trial. */
  static void refreshBest(Handle h, long id, Direction direction) {
    String order = direction == Direction.MAXIMIZE ? "value DESC" : "value ASC";
    h.createUpdate(
            "UPDATE studies SET best_trial = (SELECT number FROM trials WHERE study_id = :id AND"
                + " state = 'complete' ORDER BY "
                + order
                + ", number LIMIT 1) WHERE id = :id")
        .bind("id", id)
        .execute();
  }

  /**
   * Marks a running study finished ({@code complete} or {@code failed}) with the reason; a finished
   * study keeps its first state and reason.
   */
  void finish(long id, String state, String reason) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE studies SET state = :state, stop_reason = :reason, finished_at = now()"
                        + " WHERE id = :id AND state = 'running'")
                .bind("state", state)
                .bind("reason", reason)
                .bind("id", id)
                .execute());
  }

  /**
   * Fails the studies of {@code collection} still running under another key than {@code keep}, with
   * their running trials, for {@code reason}; returns how many studies it failed.
   */
  int abandonRunning(String collection, String keep, String reason) {
    return jdbi.inTransaction(
        h -> {
          h.createUpdate(
                  "UPDATE trials SET state = 'failed', error = :reason, finished_at = now()"
                      + " WHERE state = 'running' AND study_id IN (SELECT id FROM studies"
                      + " WHERE collection = :collection AND state = 'running'"
                      + " AND workflow_id <> :keep)")
              .bind("reason", reason)
              .bind("collection", collection)
              .bind("keep", keep)
              .execute();
          return h.createUpdate(
                  "UPDATE studies SET state = 'failed', stop_reason = :reason, finished_at = now()"
                      + " WHERE collection = :collection AND state = 'running'"
                      + " AND workflow_id <> :keep")
              .bind("reason", reason)
              .bind("collection", collection)
              .bind("keep", keep)
              .execute();
        });
  }

  private static List<Params> enqueued(String json, SearchSpace space) {
    List<Map<String, Object>> raw;
    try {
      raw = JSON.readValue(json, new TypeReference<List<Map<String, Object>>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable enqueued parameters", e);
    }
    List<Params> out = new ArrayList<>();
    raw.forEach(m -> out.add(space.validatePartial(m)));
    return List.copyOf(out);
  }

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable " + type.getSimpleName(), e);
    }
  }

  /**
   * Deletes a collection's rows of {@code studies} ({@link
   * io.engram.core.collection.CollectionDeletion}). Newest first: a study warm-started from an
   * older one of the collection references it, so it goes before it.
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "studies", "id", "SELECT id FROM studies WHERE collection = :key ORDER BY id DESC");
}
