package io.engram.core.evaluation;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * An evaluation run as stored: its row ({@link EvaluationRuns}), its queries ({@link
 * EvaluationQueries}) and its sampled answers ({@link EvaluationAnswers}), with the steps that
 * change several of them at once. Each step is idempotent, so a retried activity repeats it safely.
 */
public final class EvaluationStore {
  private final Jdbi jdbi;
  private final EvaluationRuns runs;
  private final EvaluationQueries queries;
  private final EvaluationAnswers answers;

  public EvaluationStore(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.runs = new EvaluationRuns(jdbi);
    this.queries = new EvaluationQueries(jdbi);
    this.answers = new EvaluationAnswers(jdbi);
  }

  public EvaluationRuns runs() {
    return runs;
  }

  public EvaluationQueries queries() {
    return queries;
  }

  public EvaluationAnswers answers() {
    return answers;
  }

  /**
   * Records a run and its queries (pending) in one transaction, so a run is either fully registered
   * or not at all.
   *
   * @return the run's id
   */
  public long register(EvaluationRuns.NewRun run, List<BeirDataset.Query> judged) {
    return jdbi.inTransaction(
        h -> {
          long id = EvaluationRuns.insert(h, run, judged.size());
          EvaluationQueries.insertAll(h, id, judged);
          return id;
        });
  }

  /**
   * Draws the run's answer sample once: {@code n} of its queries chosen by {@link AnswerSample},
   * stored as pending with the answering model. Idempotent: when the run has a sample already, it
   * is kept and its size returned.
   *
   * @return the sample's size, at most the run's query count
   */
  public int drawAnswerSample(long runId, int n, String model) {
    return jdbi.inTransaction(
        h -> {
          Optional<Integer> drawn = EvaluationRuns.lockAnswerSample(h, runId);
          if (drawn.isPresent()) {
            h.rollback();
            return drawn.get();
          }
          List<String> sample = AnswerSample.select(EvaluationQueries.ids(h, runId), n);
          EvaluationAnswers.insertSample(h, runId, sample);
          EvaluationRuns.recordAnswerSample(h, runId, model, sample.size());
          return sample.size();
        });
  }

  /**
   * Computes the run's metrics from its per-query results (means, and nearest-rank latency
   * percentiles), and its advisory answer figures when it sampled answers, and marks it completed.
   * Completing a completed run recomputes the same values.
   *
   * @throws IllegalStateException when some query has no result, or sampled answer no answer, yet
   */
  public EvaluationRuns.Run complete(long runId) {
    double[] latencies = queries.latencies(runId);
    Arrays.sort(latencies);
    EvaluationRuns.Run run =
        runs.byId(runId).orElseThrow(() -> new IllegalStateException("no run " + runId));
    if (latencies.length != run.queryCount()) {
      throw new IllegalStateException(
          "run " + runId + " has " + (run.queryCount() - latencies.length) + " pending queries");
    }
    summarizeAnswers(runId);
    EvaluationQueries.Sums all = queries.sums(runId, 0, Integer.MAX_VALUE);
    int n = all.queries();
    runs.complete(
        runId,
        new EvaluationRuns.Metrics(
            all.ndcgAt10() / n,
            all.mrrAt10() / n,
            all.recallAt10() / n,
            all.recallAt100() / n,
            RankingMetrics.percentile(latencies, 50),
            RankingMetrics.percentile(latencies, 95)));
    return runs.byId(runId).orElseThrow();
  }

  /**
   * Computes the run's advisory figures from its answers and stores them with the run; a run
   * without a sample is left alone.
   *
   * @throws IllegalStateException when a sampled query has no answer yet
   */
  private void summarizeAnswers(long runId) {
    EvaluationAnswers.Tally tally = answers.tally(runId);
    if (tally.pending() > 0) {
      throw new IllegalStateException(
          "run " + runId + " has " + tally.pending() + " sampled queries without an answer");
    }
    double[] sorted = tally.generatedLatencies();
    Arrays.sort(sorted);
    runs.recordAnswerFigures(
        runId,
        answers.figures(runId),
        sorted.length == 0 ? null : RankingMetrics.percentile(sorted, 50));
  }
}
