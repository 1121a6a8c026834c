package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.util.List;
import org.junit.jupiter.api.Test;

class RerankFeaturesTest {

  static Candidate hit(
      long chunk, long document, String title, String text, int denseRank, int lexRank) {
    return new Candidate(
        new ChunkHit(chunk, document, "doc" + document, title, text, 0.5),
        0.5,
        new Candidate.Leg(denseRank > 0 ? 0.5 : 0, denseRank > 0 ? 0.8 : 0, denseRank),
        new Candidate.Leg(lexRank > 0 ? 0.5 : 0, lexRank > 0 ? 0.05 : 0, lexRank));
  }

  private static double feature(double[] row, String name) {
    return row[RerankFeatures.NAMES.indexOf(name)];
  }

  @Test
  void one_row_per_candidate_with_one_value_per_feature_name() {
    double[][] rows =
        RerankFeatures.extract(
            "vitamin D deficiency",
            List.of(hit(901, 901, "t", "x", 1, 0), hit(902, 902, "t", "y", 2, 1)));
    assertThat(rows).hasNumberOfRows(2);
    assertThat(rows[0]).hasSize(RerankFeatures.COUNT);
    assertThat(RerankFeatures.NAMES).doesNotHaveDuplicates();
  }

  @Test
  void coverage_counts_stemmed_query_terms_in_title_and_text() {
    String query = "Vitamin D deficiency increases the risk of fractures";
    // Content terms: vitamin, deficiency, increas, risk, fractur (d is a lone letter).
    Candidate a =
        hit(
            911,
            911,
            "Vitamin deficiencies and fracture risk",
            "Deficient patients had more fractures; vitamin levels increased slowly.",
            1,
            1);
    Candidate b = hit(912, 912, "Unrelated title", "Nothing relevant here.", 2, 0);
    double[][] rows = RerankFeatures.extract(query, List.of(a, b));

    assertThat(feature(rows[0], "title_coverage")).isCloseTo(4 / 5.0, within(1e-9));
    assertThat(feature(rows[0], "text_coverage")).isCloseTo(3 / 5.0, within(1e-9));
    assertThat(feature(rows[0], "idf_coverage")).isCloseTo(1.0, within(1e-9));
    assertThat(feature(rows[1], "title_coverage")).isZero();
    assertThat(feature(rows[1], "text_coverage")).isZero();
    assertThat(feature(rows[1], "bm25")).isZero();
    assertThat(feature(rows[0], "bm25")).isPositive();
  }

  @Test
  void bigrams_are_adjacent_content_terms_in_query_order() {
    String query = "insulin resistance in obesity";
    // Query bigrams: (insulin, resist), (resist, obesity).
    Candidate phrase = hit(921, 921, "", "Insulin resistance was measured in obese mice.", 1, 1);
    Candidate scattered = hit(922, 922, "", "Resistance to drugs; insulin was given.", 2, 2);
    double[][] rows = RerankFeatures.extract(query, List.of(phrase, scattered));
    assertThat(feature(rows[0], "bigram_coverage")).isCloseTo(0.5, within(1e-9));
    assertThat(feature(rows[1], "bigram_coverage")).isZero();
  }

  @Test
  void leg_features_come_from_the_hit_and_its_position() {
    Candidate both = hit(931, 931, "", "a", 2, 4);
    Candidate denseOnly = hit(932, 932, "", "b", 1, 0);
    Candidate lexicalOnly = hit(933, 933, "", "c", 0, 1);
    double[][] rows = RerankFeatures.extract("q", List.of(both, denseOnly, lexicalOnly));
    assertThat(feature(rows[0], "both_legs")).isEqualTo(1);
    assertThat(feature(rows[1], "both_legs")).isZero();
    assertThat(feature(rows[0], "dense_reciprocal_rank")).isEqualTo(0.5);
    assertThat(feature(rows[0], "lexical_reciprocal_rank")).isEqualTo(0.25);
    assertThat(feature(rows[2], "dense_reciprocal_rank")).isZero();
    assertThat(feature(rows[2], "fused_reciprocal_rank")).isCloseTo(1 / 3.0, within(1e-9));
    // Not returned by the dense leg: imputed with the least cosine the leg did return.
    assertThat(feature(rows[2], "dense_cosine")).isEqualTo(0.8);
    assertThat(feature(rows[1], "lexical_ts_rank")).isZero();
  }

  @Test
  void sibling_chunks_of_one_document_are_counted() {
    double[][] rows =
        RerankFeatures.extract(
            "q",
            List.of(
                hit(941, 7, "", "a", 1, 0),
                hit(942, 7, "", "b", 2, 0),
                hit(943, 8, "", "c", 3, 0)));
    assertThat(feature(rows[0], "log_siblings")).isCloseTo(Math.log(2), within(1e-9));
    assertThat(feature(rows[2], "log_siblings")).isZero();
  }

  @Test
  void cached_and_fresh_analysis_give_the_same_features() {
    List<Candidate> hits =
        List.of(
            hit(
                951,
                951,
                "Statins lower cholesterol",
                "Statin therapy lowered LDL cholesterol.",
                1,
                2),
            hit(952, 952, "Exercise", "Aerobic exercise and cholesterol levels.", 2, 1));
    String query = "statins reduce cholesterol levels";
    double[][] first =
        RerankFeatures.extract(
            QueryTerms.of(query), hits, new PassageTerms(new Vocabulary(1000), 10));
    double[][] again = RerankFeatures.extract(query, hits);
    double[][] cached = RerankFeatures.extract(query, hits);
    assertThat(again).isDeepEqualTo(first);
    assertThat(cached).isDeepEqualTo(first);
  }

  @Test
  void a_full_vocabulary_still_counts_terms_but_cannot_match_new_ones() {
    PassageTerms tiny = new PassageTerms(new Vocabulary(1), 10);
    List<Candidate> hits = List.of(hit(1, 1, "", "alpha beta gamma", 1, 0));
    double[][] rows = RerankFeatures.extract(QueryTerms.of("beta"), hits, tiny);
    assertThat(feature(rows[0], "text_coverage")).isZero();
    assertThat(feature(rows[0], "log_length")).isCloseTo(Math.log1p(3), within(1e-9));
  }

  @Test
  void an_empty_or_stopword_query_has_zero_coverage() {
    double[][] rows =
        RerankFeatures.extract("the of and", List.of(hit(961, 961, "the", "of", 1, 1)));
    assertThat(feature(rows[0], "title_coverage")).isZero();
    assertThat(feature(rows[0], "idf_coverage")).isZero();
    assertThat(feature(rows[0], "bigram_coverage")).isZero();
  }
}
