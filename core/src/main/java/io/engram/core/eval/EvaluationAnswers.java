package io.engram.core.eval;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The advisory answer tier of evaluation runs: the {@code eval_answer_results} table and the {@code
 * answer_*} columns of {@code eval_runs} (migration V8).
 */
public final class EvaluationAnswers {

  /** The answer modes stored per query. */
  public static final String MODE_LLM = "llm";

  public static final String MODE_FALLBACK = "fallback";

  /** A sampled query still to be answered, with its text and judgements (from the run). */
  public record Pending(int slot, String queryId, String text, Map<String, Integer> relevant) {}

  /**
   * One query's answer and its scores.
   *
   * @param mode {@link #MODE_LLM} or {@link #MODE_FALLBACK}
   * @param answer the generated text, null on fallback
   * @param contextIds documents of the passages given to the generator, in order
   * @param faithfulness null on fallback or when the answer makes no claim
   * @param relevancy null on fallback
   * @param latencyMs generation time; null when nothing was asked of the LLM
   * @param error why the LLM did not answer, null when it did
   */
  public record Result(
      String queryId,
      String mode,
      String answer,
      List<Integer> citations,
      List<String> contextIds,
      Integer claims,
      Integer supportedClaims,
      Double faithfulness,
      Double relevancy,
      double contextRecall,
      Double latencyMs,
      String error) {
    public Result {
      if (!MODE_LLM.equals(mode) && !MODE_FALLBACK.equals(mode)) {
        throw new IllegalArgumentException("answer mode must be llm or fallback, got " + mode);
      }
      citations = List.copyOf(citations);
      contextIds = List.copyOf(contextIds);
    }
  }

  /**
   * Sums over the answered queries of a range of the sample, for the workflow's progress.
   *
   * @param done queries answered or fallen back
   * @param generated of those, answered by the LLM
   * @param faithful of those, with a faithfulness (at least one claim)
   * @param faithfulness sum over the {@code faithful} answers
   * @param relevancy sum over the {@code generated} answers
   * @param contextRecall sum over the {@code done} queries
   */
  public record Sums(
      int done,
      int generated,
      int faithful,
      double faithfulness,
      double relevancy,
      double contextRecall) {}

  /**
   * A run's advisory figures.
   *
   * @param model the model that wrote the answers
   * @param sample queries sampled for answers
   * @param generated answered by the LLM
   * @param fallback not answered (LLM unavailable, timed out, empty); counted, not scored
   * @param faithfulness mean over the generated answers that make a claim; null without any
   * @param relevancy mean over the generated answers; null without any
   * @param contextRecall mean over the sampled queries
   * @param p50Ms median generation time of the generated answers; null without any
   */
  public record Summary(
      String model,
      int sample,
      int generated,
      int fallback,
      Double faithfulness,
      Double relevancy,
      Double contextRecall,
      Double p50Ms) {}

  private final DataSource dataSource;

  public EvaluationAnswers(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Draws the run's sample once: {@code n} of its queries chosen by {@link AnswerSample}, stored as
   * pending with the answering model. Idempotent: when the run has a sample already, it is kept and
   * its size returned.
   *
   * @return the sample's size, at most the run's query count
   */
  public int draw(long runId, int n, String model) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement lock =
          c.prepareStatement("SELECT answer_sample FROM eval_runs WHERE id = ? FOR UPDATE")) {
        lock.setLong(1, runId);
        try (ResultSet rs = lock.executeQuery()) {
          if (!rs.next()) {
            throw new IllegalStateException("no evaluation run " + runId);
          }
          int drawn = rs.getInt(1);
          if (!rs.wasNull()) {
            c.rollback();
            return drawn;
          }
        }
      }
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT query_id FROM eval_query_results WHERE eval_run_id = ? ORDER BY seq")) {
        ps.setLong(1, runId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      List<String> sample = AnswerSample.select(ids, n);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO eval_answer_results (eval_run_id, query_id, slot) VALUES (?, ?, ?)")) {
        for (int slot = 0; slot < sample.size(); slot++) {
          ps.setLong(1, runId);
          ps.setString(2, sample.get(slot));
          ps.setInt(3, slot);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE eval_runs SET answer_model = ?, answer_sample = ? WHERE id = ?")) {
        ps.setString(1, model);
        ps.setInt(2, sample.size());
        ps.setLong(3, runId);
        ps.executeUpdate();
      }
      c.commit();
      return sample.size();
    }
  }

  /** The sampled queries {@code fromSlot <= slot < toSlot} not answered yet, in slot order. */
  public List<Pending> pending(long runId, int fromSlot, int toSlot) throws SQLException {
    return EvaluationRuns.readPending(
        dataSource,
        "SELECT a.slot, a.query_id, q.query_text, q.relevant"
            + " FROM eval_answer_results a JOIN eval_query_results q"
            + " ON q.eval_run_id = a.eval_run_id AND q.query_id = a.query_id"
            + " WHERE a.eval_run_id = ? AND a.slot >= ? AND a.slot < ?"
            + " AND a.status = 'pending' ORDER BY a.slot",
        runId,
        fromSlot,
        toSlot,
        Pending::new);
  }

  /** Stores a query's answer; storing it again (a retried batch) overwrites the same row. */
  public void record(long runId, Result result) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE eval_answer_results SET status = 'done', answer_mode = ?, answer = ?,"
                    + " citations = ?, context_ids = ?, claims = ?, supported_claims = ?,"
                    + " faithfulness = ?, answer_relevancy = ?, context_recall = ?,"
                    + " latency_ms = ?, error = ? WHERE eval_run_id = ? AND query_id = ?")) {
      ps.setString(1, result.mode());
      ps.setString(2, result.answer());
      ps.setArray(3, c.createArrayOf("int4", result.citations().toArray()));
      ps.setArray(4, c.createArrayOf("text", result.contextIds().toArray()));
      setInt(ps, 5, result.claims());
      setInt(ps, 6, result.supportedClaims());
      setDouble(ps, 7, result.faithfulness());
      setDouble(ps, 8, result.relevancy());
      ps.setDouble(9, result.contextRecall());
      setDouble(ps, 10, result.latencyMs());
      ps.setString(11, result.error());
      ps.setLong(12, runId);
      ps.setString(13, result.queryId());
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException(
            "run " + runId + " did not sample query '" + result.queryId() + "'");
      }
    }
  }

  /** Sums over the answered queries {@code fromSlot <= slot < toSlot}. */
  public Sums sums(long runId, int fromSlot, int toSlot) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*), count(*) FILTER (WHERE answer_mode = 'llm'),"
                    + " count(faithfulness), coalesce(sum(faithfulness), 0),"
                    + " coalesce(sum(answer_relevancy), 0), coalesce(sum(context_recall), 0)"
                    + " FROM eval_answer_results"
                    + " WHERE eval_run_id = ? AND slot >= ? AND slot < ? AND status = 'done'")) {
      ps.setLong(1, runId);
      ps.setInt(2, fromSlot);
      ps.setInt(3, toSlot);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Sums(
            rs.getInt(1),
            rs.getInt(2),
            rs.getInt(3),
            rs.getDouble(4),
            rs.getDouble(5),
            rs.getDouble(6));
      }
    }
  }

  /**
   * Computes the run's advisory figures from its answers and stores them on {@code eval_runs}; a
   * run without a sample is left alone. Summarizing again recomputes the same values.
   *
   * @throws IllegalStateException when a sampled query has no answer yet
   */
  public void summarize(long runId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      int pending;
      List<Double> latencies = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT status, answer_mode, latency_ms FROM eval_answer_results"
                  + " WHERE eval_run_id = ?")) {
        ps.setLong(1, runId);
        pending = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getString(1).equals("pending")) {
              pending++;
            } else if (MODE_LLM.equals(rs.getString(2))) {
              latencies.add(rs.getDouble(3));
            }
          }
        }
      }
      if (pending > 0) {
        throw new IllegalStateException(
            "run " + runId + " has " + pending + " sampled queries without an answer");
      }
      double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).toArray();
      Arrays.sort(sorted);
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE eval_runs r SET answers_generated = s.generated,"
                  + " answers_fallback = s.fallback, answer_faithfulness = s.faithfulness,"
                  + " answer_relevancy = s.relevancy, answer_context_recall = s.context_recall,"
                  + " answer_p50_ms = ?"
                  + " FROM (SELECT count(*) FILTER (WHERE answer_mode = 'llm') AS generated,"
                  + " count(*) FILTER (WHERE answer_mode = 'fallback') AS fallback,"
                  + " avg(faithfulness) FILTER (WHERE answer_mode = 'llm') AS faithfulness,"
                  + " avg(answer_relevancy) FILTER (WHERE answer_mode = 'llm') AS relevancy,"
                  + " avg(context_recall) AS context_recall"
                  + " FROM eval_answer_results WHERE eval_run_id = ?) s"
                  + " WHERE r.id = ? AND r.answer_sample IS NOT NULL")) {
        setDouble(ps, 1, sorted.length == 0 ? null : RankingMetrics.percentile(sorted, 50));
        ps.setLong(2, runId);
        ps.setLong(3, runId);
        ps.executeUpdate();
      }
    }
  }

  /**
   * Reads the advisory figures from an {@code eval_runs} row selected with {@link #COLUMNS} from
   * column {@code first} on; null when the run has no sample.
   */
  static Summary read(ResultSet rs, int first) throws SQLException {
    int sample = rs.getInt(first + 1);
    if (rs.wasNull()) {
      return null;
    }
    return new Summary(
        rs.getString(first),
        sample,
        rs.getInt(first + 2),
        rs.getInt(first + 3),
        (Double) rs.getObject(first + 4),
        (Double) rs.getObject(first + 5),
        (Double) rs.getObject(first + 6),
        (Double) rs.getObject(first + 7));
  }

  /** The {@code eval_runs} columns {@link #read} expects, in order. */
  static final String COLUMNS =
      "answer_model, answer_sample, answers_generated, answers_fallback, answer_faithfulness,"
          + " answer_relevancy, answer_context_recall, answer_p50_ms";

  private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setInt(index, value);
    }
  }

  private static void setDouble(PreparedStatement ps, int index, Double value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.DOUBLE);
    } else {
      ps.setDouble(index, value);
    }
  }
}
