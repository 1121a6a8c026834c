package io.engram.core.drift;

import io.engram.core.retrieval.Candidate;
import java.util.List;

/**
 * What one live query looked like to the model version that answered it: the features drift
 * detection compares between a collection's reference and recent queries ({@link Feature}).
 *
 * @param queryTerms words of the query (runs of letters and digits), stopwords included
 * @param unknownTermShare share of the query's lexemes no chunk of the answering index version
 *     contains; 0 when the query has none
 * @param topDenseScore the best cosine similarity among the returned chunks; null when none came
 *     from the dense leg
 * @param topFusedScore the best fused score among the returned chunks, before any reranker; null
 *     when nothing was returned
 * @param scoreSpread the returned scores' first minus their fifth (or last); null when nothing was
 *     returned
 */
public record QueryFeatures(
    int queryTerms,
    double unknownTermShare,
    Double topDenseScore,
    Double topFusedScore,
    Double scoreSpread) {

  /** Where {@link #scoreSpread} is taken: the default number of chunks a query returns. */
  static final int SPREAD_RANK = 5;

  /**
   * The retrieval's part of the features, computed from the chunks a query returned: a few
   * arithmetic operations per chunk, cheap enough for the request path, and small enough for the
   * response cache to keep beside an answer.
   */
  public record Scores(Double topDenseScore, Double topFusedScore, Double scoreSpread) {
    public static final Scores NONE = new Scores(null, null, null);
  }

  /**
   * The score features of the chunks a query returned, best first. The fused score is recomputed
   * from the legs' normalized scores, so it is the score fusion gave, whatever a reranker put in
   * its place; {@code denseWeight} is the one the model version fused with (1 when it retrieved
   * with the dense leg only).
   */
  public static Scores scores(List<Candidate> returned, double denseWeight) {
    if (returned.isEmpty()) {
      return Scores.NONE;
    }
    Double topDense = null;
    double topFused = Double.NEGATIVE_INFINITY;
    for (Candidate c : returned) {
      if (c.dense().present() && (topDense == null || c.dense().raw() > topDense)) {
        topDense = c.dense().raw();
      }
      double fused =
          denseWeight * c.dense().normalized() + (1 - denseWeight) * c.lexical().normalized();
      topFused = Math.max(topFused, fused);
    }
    double first = returned.get(0).score();
    double last = returned.get(Math.min(SPREAD_RANK, returned.size()) - 1).score();
    return new Scores(topDense, topFused, first - last);
  }

  /** The features of a query of {@code queryTerms} words with the retrieval's {@code scores}. */
  public static QueryFeatures of(int queryTerms, double unknownTermShare, Scores scores) {
    return new QueryFeatures(
        queryTerms,
        unknownTermShare,
        scores.topDenseScore(),
        scores.topFusedScore(),
        scores.scoreSpread());
  }

  /** The value of {@code feature}; null when this query has none. */
  public Double value(Feature feature) {
    return switch (feature) {
      case QUERY_TERMS -> (double) queryTerms;
      case UNKNOWN_TERM_SHARE -> unknownTermShare;
      case TOP_DENSE_SCORE -> topDenseScore;
      case TOP_FUSED_SCORE -> topFusedScore;
      case SCORE_SPREAD -> scoreSpread;
    };
  }
}
