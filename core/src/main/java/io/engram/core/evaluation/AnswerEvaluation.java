package io.engram.core.evaluation;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.llm.AnswerGenerator;
import io.engram.core.query.Answerer;
import io.engram.core.query.QueryPipeline;
import io.engram.core.query.QueryPipelines;
import io.engram.core.retrieval.Candidate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The advisory answer tier of an evaluation run: for a sample of its queries, the passages the
 * query path would give the generator, an answer from the configured LLM, and the answer's {@link
 * AnswerMetrics}. Idempotent like the retrieval steps: the sample is drawn once per run, and a
 * batch answers only the sampled queries still pending, each written to the row keyed by (run,
 * query id).
 *
 * <p>An LLM that fails (unavailable, timed out, empty or unusable reply) makes the query a
 * fallback: counted and kept with its reason, not scored as 0, so an outage shows as missing
 * answers rather than as bad ones.
 */
public final class AnswerEvaluation {
  /**
   * Passages given to the generator per question: what {@code POST /v1/query} gives it with its
   * default top k.
   */
  public static final int CONTEXT_PASSAGES = 5;

  private final EvaluationStore store;
  private final IndexVersions indexVersions;
  private final QueryPipelines pipelines;
  private final String model;

  /**
   * @param pipelines the query pipelines the run's retrieval was measured with; their answerer
   *     writes the answers
   * @param model the model that writes answers (e.g. {@code openai:gemma-3-270m}), or null when the
   *     process has no LLM
   */
  public AnswerEvaluation(
      EvaluationStore store, IndexVersions indexVersions, QueryPipelines pipelines, String model) {
    this.store = store;
    this.indexVersions = indexVersions;
    this.pipelines = pipelines;
    this.model = model;
  }

  /** The model that writes answers, e.g. {@code openai:gemma-3-270m}; empty without an LLM. */
  public Optional<String> model() {
    return Optional.ofNullable(model);
  }

  /**
   * Draws the run's sample of {@code n} queries (once; see {@link EvaluationStore}).
   *
   * @return the sample's size
   * @throws IllegalStateException without an LLM
   */
  public int draw(long runId, int n) {
    return store.drawAnswerSample(runId, n, requireModel());
  }

  /**
   * Answers and scores the pending sampled queries {@code fromSlot <= slot < toSlot} through the
   * run's query pipeline, heartbeating with each finished slot.
   *
   * @return sums over every answered query of the range, read back from the stored rows
   * @throws IllegalStateException without an LLM
   */
  public EvaluationAnswers.Sums answer(
      long runId, int fromSlot, int toSlot, IntConsumer heartbeat) {
    requireModel();
    EvaluationRuns.Run run =
        store.runs().byId(runId).orElseThrow(() -> new IllegalStateException("no run " + runId));
    QueryPipeline pipeline =
        EvaluationService.pipelineOf(store.runs(), indexVersions, pipelines, run);
    IndexVersion version = pipeline.version().index();
    EmbeddingModel embedding = EmbeddingModels.get(version.embeddingModel());
    AnswerMetrics.Embedder embedder = text -> embedding.embed(text).content().vector();
    double minCosine = AnswerMetrics.minCosine(version.embeddingModel());
    for (EvaluationAnswers.Pending query : store.answers().pending(runId, fromSlot, toSlot)) {
      QueryPipeline.Answered answered =
          pipeline.answer(run.target().collection(), query.text(), CONTEXT_PASSAGES);
      store
          .answers()
          .record(
              runId,
              score(
                  query,
                  answered.retrieval().candidates(),
                  answered.answer(),
                  embedder,
                  minCosine));
      heartbeat.accept(query.slot());
    }
    return store.answers().sums(runId, fromSlot, toSlot);
  }

  /**
   * Scores the answer the query path gave to one query from its retrieved hits. An answer that is
   * not the LLM's (it failed, timed out or was empty, and the query path fell back to an extractive
   * answer) is a fallback: counted with its reason, not scored.
   */
  static EvaluationAnswers.Result score(
      EvaluationAnswers.Pending query,
      List<Candidate> hits,
      Answerer.Answer answer,
      AnswerMetrics.Embedder embedder,
      double minCosine) {
    Map<Integer, String> shown = new LinkedHashMap<>();
    List<String> contextIds = new ArrayList<>();
    for (int i = 0; i < Math.min(CONTEXT_PASSAGES, hits.size()); i++) {
      var chunk = hits.get(i).chunk();
      AnswerGenerator.Passage passage =
          new AnswerGenerator.Passage(i + 1, chunk.title(), chunk.text());
      // The model reads the title before the text, so a claim may come from either.
      String title = chunk.title() == null || chunk.title().isBlank() ? "" : chunk.title() + ". ";
      shown.put(passage.number(), title + AnswerGenerator.shownText(passage));
      contextIds.add(chunk.source());
    }
    double contextRecall = AnswerMetrics.contextRecall(contextIds, query.relevant());
    if (shown.isEmpty()) {
      return fallback(query, contextIds, contextRecall, null, "retrieval returned no passage");
    }
    if (!answer.mode().equals("llm")) {
      return fallback(
          query,
          contextIds,
          contextRecall,
          answer.millis(),
          answer.warning() == null ? "no LLM answer" : answer.warning());
    }
    AnswerMetrics.Faithfulness faithfulness =
        AnswerMetrics.faithfulness(answer.text(), shown, embedder, minCosine);
    double relevancy =
        AnswerMetrics.relevancy(
            embedder.embed(query.text()),
            embedder.embed(AnswerMetrics.withoutCitations(answer.text())));
    return new EvaluationAnswers.Result(
        query.queryId(),
        EvaluationAnswers.MODE_LLM,
        answer.text(),
        answer.citations(),
        contextIds,
        faithfulness.claims(),
        faithfulness.supported(),
        faithfulness.score(),
        relevancy,
        contextRecall,
        answer.millis(),
        null);
  }

  private static EvaluationAnswers.Result fallback(
      EvaluationAnswers.Pending query,
      List<String> contextIds,
      double contextRecall,
      Double latencyMs,
      String reason) {
    return new EvaluationAnswers.Result(
        query.queryId(),
        EvaluationAnswers.MODE_FALLBACK,
        null,
        List.of(),
        contextIds,
        null,
        null,
        null,
        null,
        contextRecall,
        latencyMs,
        reason);
  }

  private String requireModel() {
    if (model == null) {
      throw new IllegalStateException("no LLM is configured for answers (ENGRAM_LLM_*)");
    }
    return model;
  }
}
