package io.engram.core.training;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.evaluation.BeirDataset;
import io.engram.core.evaluation.EvaluationService;
import io.engram.core.evaluation.QuerySplit;
import io.engram.core.evaluation.RankingMetrics;
import io.engram.core.index.IndexVersion;
import io.engram.core.rerank.LinearReranker;
import io.engram.core.rerank.PairwiseFit;
import io.engram.core.rerank.RerankFeatures;
import io.engram.core.rerank.Reranker;
import io.engram.core.retrieval.Candidate;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * The objective of a retraining's search: how well a bundle of retrieval and reranker settings
 * ranks the fitting part of a labelled set, on the champion's index version. Both retrieval legs of
 * every fitting query are fetched once, as deep as any trial may ask ({@link #MAX_CANDIDATES}, each
 * full-text variant of {@link #SHARES}); a trial then fuses, reranks and scores in memory, so it
 * takes seconds, not the minutes of re-querying the database for every setting.
 *
 * <p>A trial is scored on every fitting query. One that trains a reranker is cross-validated: the
 * fitting queries fall into {@link #FOLDS} folds (by a hash of the query id), and each query is
 * ranked by a model trained on the other folds, so no query is scored by a model that saw it. The
 * held-out part of the labelled set is never seen here; it judges the best bundle afterwards.
 */
public final class TrialEvaluator {

  /** The most candidates per leg any trial may fuse. */
  public static final int MAX_CANDIDATES = 200;

  /** The full-text leg's lexeme cut-offs a trial may choose from. */
  public static final List<Double> SHARES = List.of(0.01, 0.02, 0.05, 0.1);

  /** Folds of the cross-validation of a trained reranker. */
  static final int FOLDS = 4;

  /** What a trial's reranker is. */
  public enum RerankerChoice {
    /** Fusion order. */
    NONE,
    /**
     * The champion's reranker as it is (for version 1, the linear model bundled with core); a
     * learned one is scored by cross-validating its recorded recipe.
     */
    CHAMPION,
    /** A linear model trained for this trial (cross-validated; refitted on all to register). */
    TRAINED;

    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A trial's parameters.
   *
   * @param l2 the L2 penalty of a trained reranker
   * @param negativeDepth a trained reranker's negatives come from this fusion depth
   */
  public record Settings(
      RetrievalSettings.Mode mode,
      double denseWeight,
      int candidates,
      double maxLexemeShare,
      RerankerChoice reranker,
      double l2,
      int negativeDepth) {

    /**
     * Reads parameters named as in the search space.
     *
     * @throws IllegalArgumentException when one is missing
     */
    public static Settings of(Map<String, ?> values) {
      return new Settings(
          RetrievalSettings.Mode.valueOf(text(values, "mode").toUpperCase(Locale.ROOT)),
          number(values, "denseWeight"),
          (int) number(values, "candidates"),
          number(values, "maxLexemeShare"),
          RerankerChoice.valueOf(text(values, "reranker").toUpperCase(Locale.ROOT)),
          number(values, "l2"),
          (int) number(values, "negativeDepth"));
    }

    private static String text(Map<String, ?> values, String key) {
      Object v = values.get(key);
      if (v == null) {
        throw new IllegalArgumentException("parameter '" + key + "' is missing");
      }
      return v.toString();
    }

    private static double number(Map<String, ?> values, String key) {
      return values.get(key) instanceof Number n
          ? n.doubleValue()
          : Double.parseDouble(text(values, key));
    }

    /** The parameters by name, as stored with a trial. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("mode", mode.name().toLowerCase(Locale.ROOT));
      m.put("denseWeight", denseWeight);
      m.put("candidates", candidates);
      m.put("maxLexemeShare", maxLexemeShare);
      m.put("reranker", reranker.value());
      m.put("l2", l2);
      m.put("negativeDepth", negativeDepth);
      return m;
    }

    /** The retrieval settings of this trial. */
    public RetrievalSettings retrieval() {
      return new RetrievalSettings(
          mode, denseWeight, candidates, maxLexemeShare, reranker != RerankerChoice.NONE);
    }
  }

  /** One query's legs: chunk ids and scores, best first. */
  private record Legs(long[] denseIds, double[] denseScores, Map<Double, Leg> lexical) {}

  private record Leg(long[] ids, double[] scores) {}

  private final Map<Long, ChunkHit> chunks;
  private final List<BeirDataset.Query> queries;
  private final Map<String, Legs> legs;
  private final Reranker champion;
  private final Map<Fold, Reranker> trained = new ConcurrentHashMap<>();

  /** A trial's reranker trained without the queries of fold {@code fold}. */
  private record Fold(Settings settings, int fold) {}

  private TrialEvaluator(
      Map<Long, ChunkHit> chunks,
      List<BeirDataset.Query> queries,
      Map<String, Legs> legs,
      Reranker champion) {
    this.chunks = chunks;
    this.queries = queries;
    this.legs = legs;
    this.champion = champion;
  }

  /**
   * Fetches both legs of every fitting query of {@code queries} (the held-out ones are left alone)
   * from {@code index}, reporting each finished query to {@code progress}.
   */
  public static TrialEvaluator prepare(
      PgVectorChunkStore store,
      IndexVersion index,
      String collection,
      List<BeirDataset.Query> queries,
      Reranker champion,
      IntConsumer progress) {
    EmbeddingModel model = EmbeddingModels.get(index.embeddingModel());
    Map<Long, ChunkHit> chunks = new HashMap<>();
    Map<String, Legs> legs = new HashMap<>();
    List<BeirDataset.Query> fitting = new ArrayList<>();
    int done = 0;
    for (BeirDataset.Query q : queries) {
      if (QuerySplit.isHeldOut(q.id())) {
        continue;
      }
      fitting.add(q);
      List<ChunkHit> dense =
          store.nearest(
              index, collection, model.embed(q.text()).content().vector(), MAX_CANDIDATES);
      Map<Double, Leg> lexical = new LinkedHashMap<>();
      for (double share : SHARES) {
        lexical.put(
            share, leg(store.lexical(index, collection, q.text(), MAX_CANDIDATES, share), chunks));
      }
      Leg d = leg(dense, chunks);
      legs.put(q.id(), new Legs(d.ids(), d.scores(), lexical));
      progress.accept(++done);
    }
    // A fixed order that mixes the folds, so a partial step's prefix is a fair sample.
    fitting.sort(Comparator.comparingInt(q -> ("order:" + q.id()).hashCode()));
    return new TrialEvaluator(chunks, fitting, legs, champion);
  }

  /**
   * How a linear reranker was trained, when its file says ({@code hyperParameters} with {@code l2}
   * and {@code negativeDepth}, as the trainer and a retraining write them); null otherwise.
   */
  static PairwiseFit.Params recipe(Reranker reranker) {
    if (reranker instanceof LinearReranker linear
        && linear.training().get(HYPER_PARAMETERS) instanceof Map<?, ?> hp
        && hp.get("l2") instanceof Number l2
        && hp.get("negativeDepth") instanceof Number depth) {
      return new PairwiseFit.Params(l2.doubleValue(), depth.intValue());
    }
    return null;
  }

  /** Where a linear reranker's file records how it was trained. */
  public static final String HYPER_PARAMETERS = "hyperParameters";

  /** The cross-validation fold of a fitting query, by a hash of its id. */
  static int fold(String queryId) {
    return Math.floorMod(("fold:" + queryId).hashCode(), FOLDS);
  }

  private static Leg leg(List<ChunkHit> hits, Map<Long, ChunkHit> chunks) {
    long[] ids = new long[hits.size()];
    double[] scores = new double[hits.size()];
    for (int i = 0; i < hits.size(); i++) {
      ChunkHit h = hits.get(i);
      ids[i] = h.chunkId();
      scores[i] = h.score();
      chunks.putIfAbsent(h.chunkId(), h);
    }
    return new Leg(ids, scores);
  }

  /** The fitting queries a trial is scored on, in a fixed order (partial steps take a prefix). */
  public int size() {
    return queries.size();
  }

  /**
   * The mean NDCG@10 of {@code params} over the first {@code n} fitting queries (all of them when
   * larger). A trained reranker ranks each query with the model of the query's fold, trained on
   * first use and reused for the trial's later steps.
   */
  public double score(Settings params, int n) {
    int count = Math.min(n, queries.size());
    double sum = 0;
    for (int i = 0; i < count; i++) {
      BeirDataset.Query q = queries.get(i);
      List<Candidate> ranked = rank(q, params, reranker(params, fold(q.id())));
      sum += RankingMetrics.ndcg(EvaluationService.rankedDocuments(ranked), q.relevant(), 10);
    }
    return count == 0 ? 0 : sum / count;
  }

  /** The reranker that ranks a query of fold {@code fold} in a trial of {@code params}. */
  private Reranker reranker(Settings params, int fold) {
    return switch (params.reranker()) {
      case NONE -> Reranker.NONE;
      case CHAMPION -> {
        // A learned champion saw these very queries when it was fitted: scored as it is, it would
        // win every comparison in-sample. Its recorded recipe, cross-validated like a trained
        // trial, gives the fair estimate; the registered bundle keeps the champion's own weights.
        PairwiseFit.Params recipe = recipe(champion);
        yield recipe == null
            ? champion
            : reranker(
                new Settings(
                    params.mode(),
                    params.denseWeight(),
                    params.candidates(),
                    params.maxLexemeShare(),
                    RerankerChoice.TRAINED,
                    recipe.l2(),
                    recipe.negativeDepth()),
                fold);
      }
      case TRAINED ->
          trained.computeIfAbsent(
              new Fold(params, fold),
              f ->
                  fit(params, queries.stream().filter(q -> fold(q.id()) != fold).toList())
                      .toReranker("trial", Map.of()));
    };
  }

  /**
   * The reranker a trial that trains one registers: refitted on every fitting query, with {@code
   * training} recorded in its file.
   */
  public LinearReranker finalReranker(Settings params, String name, Map<String, Object> training) {
    if (params.reranker() != RerankerChoice.TRAINED) {
      throw new IllegalArgumentException(
          "only a trained reranker is refitted, not " + params.reranker());
    }
    return fit(params, queries).toReranker(name, training);
  }

  private PairwiseFit.Model fit(Settings p, List<BeirDataset.Query> queries) {
    List<PairwiseFit.Query> examples = new ArrayList<>();
    for (BeirDataset.Query q : queries) {
      List<Candidate> fused = fused(q, p);
      List<String> documents = fused.stream().map(c -> c.chunk().source()).toList();
      examples.add(
          new PairwiseFit.Query(
              q.id(), RerankFeatures.extract(q.text(), fused), documents, q.relevant()));
    }
    return PairwiseFit.fit(examples, new PairwiseFit.Params(p.l2(), p.negativeDepth()));
  }

  private List<Candidate> rank(BeirDataset.Query q, Settings p, Reranker reranker) {
    List<Candidate> fused = fused(q, p);
    return reranker == Reranker.NONE ? fused : reranker.rerank(q.text(), fused);
  }

  /**
   * The query's two legs cut at the trial's depth and fused with its weight, as the query path
   * does.
   */
  List<Candidate> fused(BeirDataset.Query q, Settings p) {
    Legs l = legs.get(q.id());
    List<ChunkHit> dense = hits(l.denseIds(), l.denseScores(), p.candidates());
    List<ChunkHit> lexical =
        p.mode() == RetrievalSettings.Mode.HYBRID
            ? hits(nearestShare(l, p.maxLexemeShare()), p.candidates())
            : List.of();
    return HybridRetriever.fuse(
        dense, lexical, p.mode() == RetrievalSettings.Mode.HYBRID ? p.denseWeight() : 1.0);
  }

  private static Leg nearestShare(Legs l, double share) {
    Leg exact = l.lexical().get(share);
    if (exact != null) {
      return exact;
    }
    double best = SHARES.get(0);
    for (double s : SHARES) {
      if (Math.abs(s - share) < Math.abs(best - share)) {
        best = s;
      }
    }
    return l.lexical().get(best);
  }

  private List<ChunkHit> hits(Leg leg, int depth) {
    return hits(leg.ids(), leg.scores(), depth);
  }

  private List<ChunkHit> hits(long[] ids, double[] scores, int depth) {
    int n = Math.min(depth, ids.length);
    List<ChunkHit> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ChunkHit c = chunks.get(ids[i]);
      out.add(
          new ChunkHit(c.chunkId(), c.documentId(), c.source(), c.title(), c.text(), scores[i]));
    }
    return out;
  }
}
