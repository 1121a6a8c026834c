package io.engram.core.evaluation;

import io.engram.core.db.BatchedChange;
import io.engram.core.db.RunSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The advisory answer tier of evaluation runs ({@code eval_answer_results}): the sampled queries,
 * each {@code pending} until answered, then with its answer and scores. The run's figures are kept
 * in the {@code answer_*} columns of {@link EvaluationRuns}.
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

  /**
   * The answers of a run as far as they go: how many sampled queries wait for one, and the
   * generation times of the answers the LLM wrote.
   */
  record Tally(int pending, double[] generatedLatencies) {}

  /**
   * A run's figures computed from its answers (see {@link Summary}); the means are null without any
   * answer to average.
   */
  public record Figures(
      int generated, int fallback, Double faithfulness, Double relevancy, Double contextRecall) {}

  private final Jdbi jdbi;

  public EvaluationAnswers(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Records the sampled queries as pending, in slot order, inside the transaction that drew them.
   */
  static void insertSample(Handle h, long runId, List<String> queryIds) {
    PreparedBatch batch =
        h.prepareBatch(
            "INSERT INTO eval_answer_results (eval_run_id, query_id, slot)"
                + " VALUES (:runId, :queryId, :slot)");
    for (int slot = 0; slot < queryIds.size(); slot++) {
      batch.bind("runId", runId).bind("queryId", queryIds.get(slot)).bind("slot", slot).add();
    }
    batch.execute();
  }

  /** The sampled queries {@code fromSlot <= slot < toSlot} not answered yet, in slot order. */
  public List<Pending> pending(long runId, int fromSlot, int toSlot) {
    return new RunSlice(runId, fromSlot, toSlot)
        .query(
            jdbi,
            "SELECT a.slot, a.query_id, q.query_text AS text, q.relevant"
                + " FROM eval_answer_results a JOIN eval_query_results q"
                + " ON q.eval_run_id = a.eval_run_id AND q.query_id = a.query_id"
                + " WHERE a.eval_run_id = :runId AND a.slot >= :from AND a.slot < :to"
                + " AND a.status = 'pending' ORDER BY a.slot",
            q ->
                q.registerColumnMapper(
                        EvaluationQueries.JUDGEMENTS, EvaluationQueries.judgements(runId))
                    .map(ConstructorMapper.of(Pending.class))
                    .list());
  }

  /** Stores a query's answer; storing it again (a retried batch) overwrites the same row. */
  public void record(long runId, Result result) {
    int updated =
        jdbi.withHandle(
            h ->
                h.createUpdate(
                        "UPDATE eval_answer_results SET status = 'done', answer_mode = :mode,"
                            + " answer = :answer, citations = :citations, context_ids = :contextIds,"
                            + " claims = :claims, supported_claims = :supportedClaims,"
                            + " faithfulness = :faithfulness, answer_relevancy = :relevancy,"
                            + " context_recall = :contextRecall, latency_ms = :latencyMs,"
                            + " error = :error WHERE eval_run_id = :runId AND query_id = :queryId")
                    .bindMethods(result)
                    .bind("runId", runId)
                    .execute());
    if (updated != 1) {
      throw new IllegalStateException(
          "run " + runId + " did not sample query '" + result.queryId() + "'");
    }
  }

  /** Sums over the answered queries {@code fromSlot <= slot < toSlot}. */
  public Sums sums(long runId, int fromSlot, int toSlot) {
    return new RunSlice(runId, fromSlot, toSlot)
        .query(
            jdbi,
            "SELECT count(*) AS done,"
                + " count(*) FILTER (WHERE answer_mode = 'llm') AS generated,"
                + " count(faithfulness) AS faithful,"
                + " coalesce(sum(faithfulness), 0) AS faithfulness,"
                + " coalesce(sum(answer_relevancy), 0) AS relevancy,"
                + " coalesce(sum(context_recall), 0) AS context_recall"
                + " FROM eval_answer_results WHERE eval_run_id = :runId"
                + " AND slot >= :from AND slot < :to AND status = 'done'",
            q -> q.map(ConstructorMapper.of(Sums.class)).one());
  }

  /** How far the run's answers go (see {@link Tally}). */
  Tally tally(long runId) {
    List<Answered> rows =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        "SELECT status, answer_mode, latency_ms FROM eval_answer_results"
                            + " WHERE eval_run_id = :runId")
                    .bind("runId", runId)
                    .map(
                        (rs, ctx) ->
                            new Answered(rs.getString(1), rs.getString(2), rs.getDouble(3)))
                    .list());
    int pending = 0;
    List<Double> latencies = new ArrayList<>();
    for (Answered row : rows) {
      if (row.status().equals("pending")) {
        pending++;
      } else if (MODE_LLM.equals(row.mode())) {
        latencies.add(row.latencyMs());
      }
    }
    return new Tally(pending, latencies.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private record Answered(String status, String mode, double latencyMs) {}

  /** The run's figures, computed from its answers by the database (see {@link Figures}). */
  Figures figures(long runId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT count(*) FILTER (WHERE answer_mode = 'llm') AS generated,"
                        + " count(*) FILTER (WHERE answer_mode = 'fallback') AS fallback,"
                        + " avg(faithfulness) FILTER (WHERE answer_mode = 'llm') AS faithfulness,"
                        + " avg(answer_relevancy) FILTER (WHERE answer_mode = 'llm') AS relevancy,"
                        + " avg(context_recall) AS context_recall"
                        + " FROM eval_answer_results WHERE eval_run_id = :runId")
                .bind("runId", runId)
                .map(ConstructorMapper.of(Figures.class))
                .one());
  }

  /**
   * Deletes a collection's rows of {@code eval_answer_results} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "eval_answer_results",
          "eval_run_id, query_id",
          "SELECT a.eval_run_id, a.query_id FROM eval_runs r JOIN"
              + " eval_answer_results a ON a.eval_run_id = r.id WHERE r.collection"
              + " = :key");
}
