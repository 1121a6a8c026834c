package io.engram.core.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.retrieval.RetrievalSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** The {@code eval_runs} and {@code eval_query_results} tables. */
public final class EvaluationRuns {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Integer>> RELEVANT = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, workflow_id, dataset, split, part, collection, model_version, index_version_id, status,"
          + " query_count, ndcg_at_10, mrr_at_10, recall_at_10, recall_at_100, p50_ms, p95_ms,"
          + " started_at, finished_at, error, "
          + EvaluationAnswers.COLUMNS;

  /**
   * One evaluation run; the metrics are null until it completes.
   *
   * @param answers the advisory answer tier, null when no answers were requested
   */
  public record Run(
      long id,
      String workflowId,
      String dataset,
      String split,
      String part,
      String collection,
      String modelVersion,
      int indexVersionId,
      String status,
      int queryCount,
      Double ndcgAt10,
      Double mrrAt10,
      Double recallAt10,
      Double recallAt100,
      Double p50Ms,
      Double p95Ms,
      Instant startedAt,
      Instant finishedAt,
      String error,
      EvaluationAnswers.Summary answers) {}

  /** What a new run records before any query is evaluated. */
  public record NewRun(
      String workflowId,
      String dataset,
      String split,
      String part,
      String collection,
      String modelVersion,
      int indexVersionId,
      RetrievalSettings options) {}

  /** A query of a run that still has to be evaluated. */
  public record PendingQuery(int seq, String id, String text, Map<String, Integer> relevant) {}

  /** The metrics of one evaluated query. */
  public record QueryResult(
      String queryId,
      double ndcgAt10,
      double mrrAt10,
      double recallAt10,
      double recallAt100,
      double latencyMs,
      List<String> topIds) {}

  /** Sums of the per-query metrics over the evaluated queries of a range. */
  public record Sums(
      int queries, double ndcgAt10, double mrrAt10, double recallAt10, double recallAt100) {}

  private final DataSource dataSource;
  private final EvaluationAnswers answers;

  public EvaluationRuns(DataSource dataSource) {
    this.dataSource = dataSource;
    this.answers = new EvaluationAnswers(dataSource);
  }

  /** The runs' advisory answer tier. */
  public EvaluationAnswers answers() {
    return answers;
  }

  public Optional<Run> byWorkflowId(String workflowId) throws SQLException {
    return one("SELECT " + COLUMNS + " FROM eval_runs WHERE workflow_id = ?", workflowId);
  }

  public Optional<Run> byId(long id) throws SQLException {
    return one("SELECT " + COLUMNS + " FROM eval_runs WHERE id = ?", id);
  }

  /** The run's retrieval settings, as recorded when it was registered. */
  public RetrievalSettings options(long runId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT retrieval_options FROM eval_runs WHERE id = ?")) {
      ps.setLong(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("no evaluation run " + runId);
        }
        return JSON.readValue(rs.getString(1), RetrievalSettings.class);
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable retrieval options of run " + runId, e);
    }
  }

  /**
   * Records a run and its queries (pending) in one transaction, so a run is either fully registered
   * or not at all.
   *
   * @return the run's id
   */
  public long register(NewRun run, List<BeirDataset.Query> queries) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      long id;
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO eval_runs (workflow_id, dataset, split, part, collection, model_version,"
                  + " index_version_id, retrieval_options, query_count)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?) RETURNING id")) {
        ps.setString(1, run.workflowId());
        ps.setString(2, run.dataset());
        ps.setString(3, run.split());
        ps.setString(4, run.part());
        ps.setString(5, run.collection());
        ps.setString(6, run.modelVersion());
        ps.setInt(7, run.indexVersionId());
        ps.setString(8, JSON.writeValueAsString(run.options()));
        ps.setInt(9, queries.size());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          id = rs.getLong(1);
        }
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot serialise retrieval options", e);
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO eval_query_results (eval_run_id, query_id, seq, query_text, relevant)"
                  + " VALUES (?, ?, ?, ?, ?::jsonb)")) {
        int seq = 0;
        for (BeirDataset.Query q : queries) {
          ps.setLong(1, id);
          ps.setString(2, q.id());
          ps.setInt(3, seq++);
          ps.setString(4, q.text());
          ps.setString(5, JSON.writeValueAsString(q.relevant()));
          ps.addBatch();
          if (seq % 500 == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot serialise judgements", e);
      }
      c.commit();
      return id;
    }
  }

  /** The queries {@code fromSeq <= seq < toSeq} of a run that have no result yet, in order. */
  public List<PendingQuery> pending(long runId, int fromSeq, int toSeq) throws SQLException {
    return readPending(
        dataSource,
        "SELECT seq, query_id, query_text, relevant FROM eval_query_results"
            + " WHERE eval_run_id = ? AND seq >= ? AND seq < ? AND status = 'pending'"
            + " ORDER BY seq",
        runId,
        fromSeq,
        toSeq,
        PendingQuery::new);
  }

  /** Builds one pending row: its position in the run, query id, text and judgements. */
  interface PendingRow<T> {
    T of(int position, String queryId, String text, Map<String, Integer> relevant);
  }

  /**
   * Reads the pending rows of a run in a range of positions. {@code sql} selects (position, query
   * id, query text, judgements as JSON) and takes (run id, from, to) as parameters; both the
   * retrieval results and the answer tier's sample are read this way.
   */
  static <T> List<T> readPending(
      DataSource dataSource, String sql, long runId, int from, int to, PendingRow<T> row)
      throws SQLException {
    List<T> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, runId);
      ps.setInt(2, from);
      ps.setInt(3, to);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              row.of(
                  rs.getInt(1),
                  rs.getString(2),
                  rs.getString(3),
                  JSON.readValue(rs.getString(4), RELEVANT)));
        }
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable judgements in run " + runId, e);
    }
    return out;
  }

  /** Stores a query's result; storing it again (a retried batch) overwrites the same row. */
  public void record(long runId, QueryResult result) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE eval_query_results SET status = 'done', ndcg_at_10 = ?, mrr_at_10 = ?,"
                    + " recall_at_10 = ?, recall_at_100 = ?, latency_ms = ?, top_ids = ?"
                    + " WHERE eval_run_id = ? AND query_id = ?")) {
      ps.setDouble(1, result.ndcgAt10());
      ps.setDouble(2, result.mrrAt10());
      ps.setDouble(3, result.recallAt10());
      ps.setDouble(4, result.recallAt100());
      ps.setDouble(5, result.latencyMs());
      ps.setArray(6, c.createArrayOf("text", result.topIds().toArray()));
      ps.setLong(7, runId);
      ps.setString(8, result.queryId());
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException(
            "run " + runId + " has no query '" + result.queryId() + "'");
      }
    }
  }

  /** Names the model version the retriever reported (index version, plus reranker if any). */
  public void reportModelVersion(long runId, String modelVersion) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE eval_runs SET model_version = ? WHERE id = ? AND model_version <> ?")) {
      ps.setString(1, modelVersion);
      ps.setLong(2, runId);
      ps.setString(3, modelVersion);
      ps.executeUpdate();
    }
  }

  /** Sums of the metrics of the evaluated queries {@code fromSeq <= seq < toSeq}. */
  public Sums sums(long runId, int fromSeq, int toSeq) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*), coalesce(sum(ndcg_at_10), 0), coalesce(sum(mrr_at_10), 0),"
                    + " coalesce(sum(recall_at_10), 0), coalesce(sum(recall_at_100), 0)"
                    + " FROM eval_query_results"
                    + " WHERE eval_run_id = ? AND seq >= ? AND seq < ? AND status = 'done'")) {
      ps.setLong(1, runId);
      ps.setInt(2, fromSeq);
      ps.setInt(3, toSeq);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Sums(
            rs.getInt(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5));
      }
    }
  }

  /**
   * Computes the run's metrics from its per-query results (means, and nearest-rank latency
   * percentiles), and its advisory answer figures when it sampled answers, and marks it completed.
   * Completing a completed run recomputes the same values.
   *
   * @throws IllegalStateException when some query has no result, or sampled answer no answer, yet
   */
  public Run complete(long runId) throws SQLException {
    double[] latencies;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT latency_ms FROM eval_query_results WHERE eval_run_id = ? AND status = 'done'")) {
      ps.setLong(1, runId);
      List<Double> values = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          values.add(rs.getDouble(1));
        }
      }
      latencies = values.stream().mapToDouble(Double::doubleValue).toArray();
    }
    Arrays.sort(latencies);
    Run run = byId(runId).orElseThrow(() -> new IllegalStateException("no run " + runId));
    if (latencies.length != run.queryCount()) {
      throw new IllegalStateException(
          "run " + runId + " has " + (run.queryCount() - latencies.length) + " pending queries");
    }
    answers.summarize(runId);
    Sums all = sums(runId, 0, Integer.MAX_VALUE);
    int n = all.queries();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE eval_runs SET status = 'completed', ndcg_at_10 = ?, mrr_at_10 = ?,"
                    + " recall_at_10 = ?, recall_at_100 = ?, p50_ms = ?, p95_ms = ?,"
                    + " finished_at = coalesce(finished_at, now()), error = NULL WHERE id = ?")) {
      ps.setDouble(1, all.ndcgAt10() / n);
      ps.setDouble(2, all.mrrAt10() / n);
      ps.setDouble(3, all.recallAt10() / n);
      ps.setDouble(4, all.recallAt100() / n);
      ps.setDouble(5, RankingMetrics.percentile(latencies, 50));
      ps.setDouble(6, RankingMetrics.percentile(latencies, 95));
      ps.setLong(7, runId);
      ps.executeUpdate();
    }
    return byId(runId).orElseThrow();
  }

  /** Marks an unfinished run failed or cancelled, with the reason. */
  public void fail(long runId, boolean cancelled, String reason) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE eval_runs SET status = ?, error = ?, finished_at = now()"
                    + " WHERE id = ? AND status = 'running'")) {
      ps.setString(1, cancelled ? "cancelled" : "failed");
      ps.setString(2, reason);
      ps.setLong(3, runId);
      ps.executeUpdate();
    }
  }

  private Optional<Run> one(String sql, Object key) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    }
  }

  private static Run map(ResultSet rs) throws SQLException {
    return new Run(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getInt(8),
        rs.getString(9),
        rs.getInt(10),
        (Double) rs.getObject(11),
        (Double) rs.getObject(12),
        (Double) rs.getObject(13),
        (Double) rs.getObject(14),
        (Double) rs.getObject(15),
        (Double) rs.getObject(16),
        instant(rs.getTimestamp(17)),
        instant(rs.getTimestamp(18)),
        rs.getString(19),
        EvaluationAnswers.read(rs, 20));
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
