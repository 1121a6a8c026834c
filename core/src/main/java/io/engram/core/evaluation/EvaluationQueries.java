package io.engram.core.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.db.BatchedChange;
import io.engram.core.db.RunSlice;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.generic.GenericType;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The judged queries of evaluation runs ({@code eval_query_results}): each with its text and
 * judgements, {@code pending} until its ranking is scored, then with its metrics.
 */
public final class EvaluationQueries {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Integer>> RELEVANT = new TypeReference<>() {};

  /** The Java type of a query's judgements (document id to grade). */
  static final GenericType<Map<String, Integer>> JUDGEMENTS = new GenericType<>() {};

  /** Rows sent to the database per batch when a run's queries are recorded. */
  private static final int INSERT_BATCH = 500;

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

  private final Jdbi jdbi;

  public EvaluationQueries(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Records a run's queries as pending, numbered from 0, inside the transaction of the run. */
  static void insertAll(Handle h, long runId, List<BeirDataset.Query> queries) {
    for (int from = 0; from < queries.size(); from += INSERT_BATCH) {
      PreparedBatch batch =
          h.prepareBatch(
              "INSERT INTO eval_query_results (eval_run_id, query_id, seq, query_text, relevant)"
                  + " VALUES (:runId, :queryId, :seq, :text, :relevant::jsonb)");
      for (int seq = from; seq < Math.min(queries.size(), from + INSERT_BATCH); seq++) {
        BeirDataset.Query q = queries.get(seq);
        batch
            .bind("runId", runId)
            .bind("queryId", q.id())
            .bind("seq", seq)
            .bind("text", q.text())
            .bind("relevant", json(q.relevant()))
            .add();
      }
      batch.execute();
    }
  }

  /** The queries {@code fromSeq <= seq < toSeq} of a run that have no result yet, in order. */
  public List<PendingQuery> pending(long runId, int fromSeq, int toSeq) {
    return queries(runId, fromSeq, toSeq, " AND status = 'pending'");
  }

  /** The queries {@code fromSeq <= seq < toSeq} of a run that {@code filter} keeps, in order. */
  private List<PendingQuery> queries(long runId, int fromSeq, int toSeq, String filter) {
    return new RunSlice(runId, fromSeq, toSeq)
        .query(
            jdbi,
            "SELECT seq, query_id AS id, query_text AS text, relevant"
                + " FROM eval_query_results WHERE eval_run_id = :runId AND seq >= :from"
                + " AND seq < :to"
                + filter
                + " ORDER BY seq",
            q ->
                q.registerColumnMapper(JUDGEMENTS, judgements(runId))
                    .map(ConstructorMapper.of(PendingQuery.class))
                    .list());
  }

  /** Every judged query of a run with its text and judgements, in the run's order. */
  public List<BeirDataset.Query> judged(long runId) {
    return queries(runId, 0, Integer.MAX_VALUE, "").stream()
        .map(p -> new BeirDataset.Query(p.id(), p.text(), p.relevant()))
        .toList();
  }

  /** Stores a query's result; storing it again (a retried batch) overwrites the same row. */
  public void record(long runId, QueryResult result) {
    int updated =
        jdbi.withHandle(
            h ->
                h.createUpdate(
                        "UPDATE eval_query_results SET status = 'done', ndcg_at_10 = :ndcgAt10,"
                            + " mrr_at_10 = :mrrAt10, recall_at_10 = :recallAt10,"
                            + " recall_at_100 = :recallAt100, latency_ms = :latencyMs,"
                            + " top_ids = :topIds WHERE eval_run_id = :runId AND query_id = :queryId")
                    .bindMethods(result)
                    .bind("runId", runId)
                    .execute());
    if (updated != 1) {
      throw new IllegalStateException("run " + runId + " has no query '" + result.queryId() + "'");
    }
  }

  /** Sums of the metrics of the evaluated queries {@code fromSeq <= seq < toSeq}. */
  public Sums sums(long runId, int fromSeq, int toSeq) {
    return new RunSlice(runId, fromSeq, toSeq)
        .query(
            jdbi,
            "SELECT count(*) AS queries, coalesce(sum(ndcg_at_10), 0) AS ndcg_at_10,"
                + " coalesce(sum(mrr_at_10), 0) AS mrr_at_10,"
                + " coalesce(sum(recall_at_10), 0) AS recall_at_10,"
                + " coalesce(sum(recall_at_100), 0) AS recall_at_100"
                + " FROM eval_query_results WHERE eval_run_id = :runId AND seq >= :from"
                + " AND seq < :to AND status = 'done'",
            q -> q.map(ConstructorMapper.of(Sums.class)).one());
  }

  /** The latencies of the run's evaluated queries, unordered. */
  double[] latencies(long runId) {
    return jdbi
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT latency_ms FROM eval_query_results"
                            + " WHERE eval_run_id = :runId AND status = 'done'")
                    .bind("runId", runId)
                    .mapTo(Double.class)
                    .list())
        .stream()
        .mapToDouble(Double::doubleValue)
        .toArray();
  }

  /** The ids of the run's queries in order, read inside the caller's transaction. */
  static List<String> ids(Handle h, long runId) {
    return h.createQuery(
            "SELECT query_id FROM eval_query_results WHERE eval_run_id = :runId ORDER BY seq")
        .bind("runId", runId)
        .mapTo(String.class)
        .list();
  }

  /** Reads the judgements stored with a run's queries ({@code relevant}, as JSON). */
  static ColumnMapper<Map<String, Integer>> judgements(long runId) {
    return (rs, column, ctx) -> {
      try {
        return JSON.readValue(rs.getString(column), RELEVANT);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("unreadable judgements in run " + runId, e);
      }
    };
  }

  private static String json(Map<String, Integer> relevant) {
    try {
      return JSON.writeValueAsString(relevant);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise judgements", e);
    }
  }

  /**
   * Deletes a collection's rows of {@code eval_query_results} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "eval_query_results",
          "eval_run_id, query_id",
          "SELECT q.eval_run_id, q.query_id FROM eval_runs r JOIN"
              + " eval_query_results q ON q.eval_run_id = r.id WHERE r.collection ="
              + " :key");
}
