package io.engram.core.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.db.BatchedChange;
import io.engram.core.db.Columns;
import io.engram.core.db.Rows;
import io.engram.core.retrieval.RetrievalSettings;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Evaluation runs ({@code eval_runs}): what each run evaluates, its status, its retrieval metrics
 * and the figures of its advisory answer tier.
 */
public final class EvaluationRuns {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS =
      "id, workflow_id, dataset, split, part, collection, model_version, index_version_id,"
          + " status, query_count, ndcg_at_10, mrr_at_10, recall_at_10, recall_at_100, p50_ms,"
          + " p95_ms, started_at, finished_at, error, answer_model, answer_sample,"
          + " answers_generated, answers_fallback, answer_faithfulness, answer_relevancy,"
          + " answer_context_recall, answer_p50_ms";

  /**
   * One evaluation run.
   *
   * @param metrics the retrieval metrics; null until the run completes
   * @param answers the advisory answer tier, null when no answers were requested
   */
  public record Run(
      long id,
      String workflowId,
      EvalSet evalSet,
      Target target,
      String status,
      int queryCount,
      Metrics metrics,
      Instant startedAt,
      Instant finishedAt,
      String error,
      EvaluationAnswers.Summary answers) {}

  /**
   * The judged queries a run evaluates: a BEIR dataset's qrels split, or one part of it.
   *
   * @param part {@code all}, {@code fit} or {@code held-out}
   */
  public record EvalSet(String dataset, String split, String part) {
    /**
     * The name a model version's figures on this set are stored under, e.g. {@code
     * scifact/train/held-out}.
     */
    public String key() {
      return dataset + "/" + split + "/" + part;
    }
  }

  /**
   * What a run searches.
   *
   * @param modelVersion the name the retriever reports: the index version's, with the reranker's
   * @param indexVersionId the index version searched
   */
  public record Target(String collection, String modelVersion, int indexVersionId) {}

  /**
   * What a new run records before any query is evaluated.
   *
   * @param modelVersionId the registered model version evaluated; null for a bundle that is not
   *     registered (then the index version and retrieval settings describe it)
   */
  public record NewRun(
      String workflowId,
      EvalSet evalSet,
      Target target,
      RetrievalSettings options,
      Long modelVersionId) {}

  /** A completed run's retrieval metrics: means over its queries and latency percentiles. */
  public record Metrics(
      double ndcgAt10,
      double mrrAt10,
      double recallAt10,
      double recallAt100,
      double p50Ms,
      double p95Ms) {}

  private static final RowMapper<Run> RUN =
      (rs, ctx) ->
          new Run(
              rs.getLong("id"),
              rs.getString("workflow_id"),
              new EvalSet(rs.getString("dataset"), rs.getString("split"), rs.getString("part")),
              new Target(
                  rs.getString("collection"),
                  rs.getString("model_version"),
                  rs.getInt("index_version_id")),
              rs.getString("status"),
              rs.getInt("query_count"),
              metrics(rs),
              Columns.instant(rs, "started_at"),
              Columns.instant(rs, "finished_at"),
              rs.getString("error"),
              answers(rs));

  private static final Rows<Run> RUNS = new Rows<>(COLUMNS, "eval_runs", RUN);

  private final Jdbi jdbi;

  public EvaluationRuns(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public Optional<Run> byWorkflowId(String workflowId) {
    return RUNS.one(jdbi, "WHERE workflow_id = :workflowId", q -> q.bind("workflowId", workflowId));
  }

  public Optional<Run> byId(long id) {
    return RUNS.one(jdbi, "WHERE id = :id", q -> q.bind("id", id));
  }

  /** The newest completed run of registered version {@code modelVersionId} on one eval set. */
  public Optional<Run> latestCompleted(
      long modelVersionId, String dataset, String split, String part) {
    return RUNS.one(
        jdbi,
        "WHERE model_version_id = :version AND dataset = :dataset AND split = :split"
            + " AND part = :part AND status = 'completed'"
            + " ORDER BY finished_at DESC, id DESC LIMIT 1",
        q ->
            q.bind("version", modelVersionId)
                .bind("dataset", dataset)
                .bind("split", split)
                .bind("part", part));
  }

  /** The registered model version a run evaluates, if it evaluates one. */
  public Optional<Long> registeredVersion(long runId) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT model_version_id FROM eval_runs WHERE id = :id")
                .bind("id", runId)
                .mapTo(Long.class)
                .findOne());
  }

  /** The run's retrieval settings, as recorded when it was registered. */
  public RetrievalSettings options(long runId) {
    String json =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT retrieval_options FROM eval_runs WHERE id = :id")
                    .bind("id", runId)
                    .mapTo(String.class)
                    .findOne()
                    .orElseThrow(() -> new IllegalStateException("no evaluation run " + runId)));
    try {
      return JSON.readValue(json, RetrievalSettings.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable retrieval options of run " + runId, e);
    }
  }

  /**
   * Records a new run of {@code queryCount} queries, inside the transaction that records them.
   *
   * @return the run's id
   */
  static long insert(Handle h, NewRun run, int queryCount) {
    String options;
    try {
      options = JSON.writeValueAsString(run.options());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise retrieval options", e);
    }
    return h.createQuery(
            "INSERT INTO eval_runs (workflow_id, dataset, split, part, collection, model_version,"
                + " index_version_id, retrieval_options, query_count, model_version_id) VALUES"
                + " (:workflowId, :dataset, :split, :part, :collection, :modelVersion,"
                + " :indexVersionId, :optionsJson::jsonb, :queryCount, :modelVersionId)"
                + " RETURNING id")
        .bind("workflowId", run.workflowId())
        .bindMethods(run.evalSet())
        .bindMethods(run.target())
        .bind("modelVersionId", run.modelVersionId())
        .bind("optionsJson", options)
        .bind("queryCount", queryCount)
        .mapTo(Long.class)
        .one();
  }

  /** Names the model version the retriever reported (index version, plus reranker if any). */
  public void reportModelVersion(long runId, String modelVersion) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE eval_runs SET model_version = :modelVersion"
                        + " WHERE id = :id AND model_version <> :modelVersion")
                .bind("modelVersion", modelVersion)
                .bind("id", runId)
                .execute());
  }

  /** Stores a run's retrieval metrics and marks it completed; the first finish time stays. */
  void complete(long runId, Metrics metrics) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE eval_runs SET status = 'completed', ndcg_at_10 = :ndcgAt10,"
                        + " mrr_at_10 = :mrrAt10, recall_at_10 = :recallAt10,"
                        + " recall_at_100 = :recallAt100, p50_ms = :p50Ms, p95_ms = :p95Ms,"
                        + " finished_at = coalesce(finished_at, now()), error = NULL WHERE id = :id")
                .bindMethods(metrics)
                .bind("id", runId)
                .execute());
  }

  /** Marks an unfinished run failed or cancelled, with the reason. */
  public void fail(long runId, boolean cancelled, String reason) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE eval_runs SET status = :status, error = :error, finished_at = now()"
                        + " WHERE id = :id AND status = 'running'")
                .bind("status", cancelled ? "cancelled" : "failed")
                .bind("error", reason)
                .bind("id", runId)
                .execute());
  }

  /**
   * Locks the run's row for the caller's transaction and reads the size of its answer sample.
   *
   * @return empty when no sample was drawn yet
   * @throws IllegalStateException when there is no such run
   */
  static Optional<Integer> lockAnswerSample(Handle h, long runId) {
    return h.createQuery("SELECT answer_sample FROM eval_runs WHERE id = :id FOR UPDATE")
        .bind("id", runId)
        .map((rs, ctx) -> Optional.ofNullable((Integer) rs.getObject(1)))
        .findOne()
        .orElseThrow(() -> new IllegalStateException("no evaluation run " + runId));
  }

  /** Records the answer sample's model and size, inside the transaction that drew it. */
  static void recordAnswerSample(Handle h, long runId, String model, int size) {
    h.createUpdate(
            "UPDATE eval_runs SET answer_model = :model, answer_sample = :size WHERE id = :id")
        .bind("model", model)
        .bind("size", size)
        .bind("id", runId)
        .execute();
  }

  /** Stores the figures of the run's answer tier; a run without a sample is left alone. */
  void recordAnswerFigures(long runId, EvaluationAnswers.Figures figures, Double p50Ms) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE eval_runs SET answers_generated = :generated,"
                        + " answers_fallback = :fallback, answer_faithfulness = :faithfulness,"
                        + " answer_relevancy = :relevancy, answer_context_recall = :contextRecall,"
                        + " answer_p50_ms = :p50 WHERE id = :id AND answer_sample IS NOT NULL")
                .bindMethods(figures)
                .bind("p50", p50Ms)
                .bind("id", runId)
                .execute());
  }

  /** Reads the retrieval metrics; null until the run completes, which stores them all at once. */
  private static Metrics metrics(ResultSet rs) throws SQLException {
    double ndcgAt10 = rs.getDouble("ndcg_at_10");
    if (rs.wasNull()) {
      return null;
    }
    return new Metrics(
        ndcgAt10,
        rs.getDouble("mrr_at_10"),
        rs.getDouble("recall_at_10"),
        rs.getDouble("recall_at_100"),
        rs.getDouble("p50_ms"),
        rs.getDouble("p95_ms"));
  }

  /** Reads the answer tier's columns; null when the run has no answer sample. */
  private static EvaluationAnswers.Summary answers(ResultSet rs) throws SQLException {
    int sample = rs.getInt("answer_sample");
    if (rs.wasNull()) {
      return null;
    }
    return new EvaluationAnswers.Summary(
        rs.getString("answer_model"),
        sample,
        rs.getInt("answers_generated"),
        rs.getInt("answers_fallback"),
        rs.getObject("answer_faithfulness", Double.class),
        rs.getObject("answer_relevancy", Double.class),
        rs.getObject("answer_context_recall", Double.class),
        rs.getObject("answer_p50_ms", Double.class));
  }

  /**
   * Deletes a collection's rows of {@code eval_runs} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "eval_runs", "id", "SELECT id FROM eval_runs WHERE collection = :key");
}
