package io.engram.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engram.core.retrieval.Candidate;
import io.engram.core.retrieval.Candidate.Leg;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryFeaturesTest {

  private static Candidate candidate(long id, double score, Leg dense, Leg lexical) {
    return new Candidate(new ChunkHit(id, id, "s" + id, null, "text", 0), score, dense, lexical);
  }

  @Test
  void the_fused_score_is_recomputed_from_the_legs_when_a_reranker_replaced_it() {
    // Reranked order: the reranker's scores (3.0, 1.5) say nothing about fusion.
    List<Candidate> returned =
        List.of(
            candidate(1, 3.0, new Leg(0.5, 0.61, 2), new Leg(1.0, 0.3, 1)),
            candidate(2, 1.5, new Leg(1.0, 0.72, 1), Leg.ABSENT));

    QueryFeatures.Scores s = QueryFeatures.scores(returned, 0.7);

    // 0.7 * 0.5 + 0.3 * 1.0 = 0.65 and 0.7 * 1.0 + 0.3 * 0 = 0.70: the best is 0.70.
    assertThat(s.topFusedScore()).isCloseTo(0.70, within(1e-12));
    assertThat(s.topDenseScore()).isEqualTo(0.72);
    assertThat(s.scoreSpread()).isCloseTo(1.5, within(1e-12));
  }

  @Test
  void the_spread_is_the_first_score_minus_the_fifth() {
    List<Candidate> returned = new ArrayList<>();
    double[] scores = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3};
    for (int i = 0; i < scores.length; i++) {
      returned.add(candidate(i, scores[i], new Leg(scores[i], scores[i], i + 1), Leg.ABSENT));
    }

    assertThat(QueryFeatures.scores(returned, 1.0).scoreSpread()).isCloseTo(0.4, within(1e-12));
    assertThat(QueryFeatures.scores(returned.subList(0, 3), 1.0).scoreSpread())
        .isCloseTo(0.2, within(1e-12));
    assertThat(QueryFeatures.scores(returned.subList(0, 1), 1.0).scoreSpread()).isZero();
  }

  @Test
  void a_retrieval_without_a_dense_hit_has_no_dense_score() {
    List<Candidate> returned = List.of(candidate(1, 0.3, Leg.ABSENT, new Leg(1.0, 0.1, 1)));

    QueryFeatures.Scores s = QueryFeatures.scores(returned, 0.7);

    assertThat(s.topDenseScore()).isNull();
    assertThat(s.topFusedScore()).isCloseTo(0.3, within(1e-12));
    assertThat(QueryFeatures.scores(List.of(), 0.7)).isEqualTo(QueryFeatures.Scores.NONE);
  }

  @Test
  void values_are_read_by_feature() {
    QueryFeatures f = new QueryFeatures(7, 0.25, 0.61, 0.9, null);

    assertThat(f.value(Feature.QUERY_TERMS)).isEqualTo(7.0);
    assertThat(f.value(Feature.UNKNOWN_TERM_SHARE)).isEqualTo(0.25);
    assertThat(f.value(Feature.TOP_DENSE_SCORE)).isEqualTo(0.61);
    assertThat(f.value(Feature.TOP_FUSED_SCORE)).isEqualTo(0.9);
    assertThat(f.value(Feature.SCORE_SPREAD)).isNull();
  }
}
