package io.engram.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.engram.core.embedding.EmbeddingModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnswerMetricsTest {
  private static final String ASPIRIN =
      "Daily low-dose aspirin reduces the risk of a first heart attack in adults.";
  private static final String TEA =
      "Tea is brewed from the dried leaves of the Camellia sinensis plant. It is drunk hot.";
  private static final Map<Integer, String> PASSAGES = Map.of(1, ASPIRIN, 2, TEA);

  /** Every text gets its own axis, so no two texts are similar: only terms can support. */
  private static final AnswerMetrics.Embedder UNRELATED = new Orthogonal();

  @Test
  void claims_are_sentences_with_content_and_trailing_citations_belong_to_the_sentence_before() {
    List<AnswerMetrics.Claim> claims =
        AnswerMetrics.claims(
            "Daily aspirin lowers heart attack risk [1]. Coffee protects the liver. [2]\n"
                + "I do not know.");

    assertThat(claims).hasSize(2);
    assertThat(claims.get(0).text()).isEqualTo("Daily aspirin lowers heart attack risk.");
    assertThat(claims.get(0).citations()).containsExactly(1);
    assertThat(claims.get(0).terms())
        .containsExactlyInAnyOrder("dail", "aspirin", "lower", "heart", "attack", "risk");
    assertThat(claims.get(1).text()).isEqualTo("Coffee protects the liver.");
    assertThat(claims.get(1).citations()).containsExactly(2);
    // "I do not know." has one content term ("know"): boilerplate, not a claim.
  }

  @Test
  void a_claim_is_supported_when_half_its_terms_are_in_the_passage_it_cites() {
    // Claim 1: dail, aspirin, lower, heart, attack, risk; all but "lower" are in [1]: 5/6.
    // Claim 2: coffee, protect, liver; none is in [2]: 0/3, and no sentence is similar.
    AnswerMetrics.Faithfulness f =
        AnswerMetrics.faithfulness(
            "Daily aspirin lowers heart attack risk [1]. Coffee protects the liver [2].",
            PASSAGES,
            UNRELATED,
            0.9);

    assertThat(f).isEqualTo(new AnswerMetrics.Faithfulness(2, 1, 1));
    assertThat(f.score()).isEqualTo(0.5);
  }

  @Test
  void a_claim_is_checked_against_the_passages_it_cites_not_the_others() {
    // The aspirin claim cites the tea passage: its terms are all in [1], none in [2].
    AnswerMetrics.Faithfulness f =
        AnswerMetrics.faithfulness(
            "Daily aspirin lowers heart attack risk [2].", PASSAGES, UNRELATED, 0.9);

    assertThat(f.claims()).isEqualTo(1);
    assertThat(f.supported()).isZero();
    assertThat(f.score()).isZero();
  }

  @Test
  void an_uncited_claim_or_one_citing_an_unknown_number_is_checked_against_every_passage() {
    // "Tea leaves are dried." -> tea, leav, dri: all in [2]. "Aspirin reduces heart risk [7]" cites
    // no given passage: aspirin, reduc, heart, risk are all in [1].
    AnswerMetrics.Faithfulness f =
        AnswerMetrics.faithfulness(
            "Tea leaves are dried. Aspirin reduces heart risk [7].", PASSAGES, UNRELATED, 0.9);

    assertThat(f).isEqualTo(new AnswerMetrics.Faithfulness(2, 2, 2));
    assertThat(f.score()).isEqualTo(1.0);
  }

  @Test
  void a_paraphrase_is_supported_when_its_embedding_is_close_to_a_sentence_it_cites() {
    // The claim's vector (1, 0, 0) against the tea passage's first sentence (0.96, 0.28, 0):
    // cosine 0.96, both of norm 1.
    String claim = "Camellia infusions are popular beverages [2].";
    String teaFirst = "Tea is brewed from the dried leaves of the Camellia sinensis plant.";
    AnswerMetrics.Embedder embedder =
        text -> {
          if (text.equals("Camellia infusions are popular beverages.")) {
            return new float[] {1, 0, 0};
          }
          if (text.equals(teaFirst)) {
            return new float[] {0.96f, 0.28f, 0};
          }
          return new float[] {0, 0, 1};
        };
    // Terms: camellia, infus, popular, beverag; only "camellia" is in [2]: 1/4 < 0.5.
    assertThat(AnswerMetrics.claims(claim).get(0).terms())
        .containsExactlyInAnyOrder("camellia", "infus", "popular", "beverag");

    assertThat(AnswerMetrics.faithfulness(claim, PASSAGES, embedder, 0.95))
        .isEqualTo(new AnswerMetrics.Faithfulness(1, 1, 0));
    assertThat(AnswerMetrics.faithfulness(claim, PASSAGES, embedder, 0.97))
        .isEqualTo(new AnswerMetrics.Faithfulness(1, 0, 0));
  }

  @Test
  void an_answer_without_claims_has_no_faithfulness() {
    AnswerMetrics.Faithfulness f =
        AnswerMetrics.faithfulness("I do not know. [1]", PASSAGES, UNRELATED, 0.9);

    assertThat(f.claims()).isZero();
    assertThat(f.score()).isNull();
  }

  @Test
  void term_recall_counts_distinct_terms() {
    assertThat(
            AnswerMetrics.termRecall(
                List.of("a", "b", "c", "d", "a"), java.util.Set.of("a", "c", "x")))
        .isEqualTo(0.5);
    assertThat(AnswerMetrics.termRecall(List.of(), java.util.Set.of("a"))).isZero();
  }

  @Test
  void context_recall_is_the_share_of_relevant_documents_in_the_context() {
    // d1 and d3 are relevant (d9 is judged 0); the context holds d1 (twice) but not d3.
    Map<String, Integer> relevant = Map.of("d1", 1, "d3", 2, "d9", 0);

    assertThat(AnswerMetrics.contextRecall(List.of("d1", "d2", "d1", "d5"), relevant))
        .isEqualTo(0.5);
    assertThat(AnswerMetrics.contextRecall(List.of("d3", "d1"), relevant)).isEqualTo(1.0);
    assertThat(AnswerMetrics.contextRecall(List.of("d9"), relevant)).isZero();
    assertThat(AnswerMetrics.contextRecall(List.of("d1"), Map.of())).isZero();
  }

  @Test
  void relevancy_is_the_cosine_floored_at_zero() {
    // (3,4)·(4,3) = 24, both of norm 5.
    assertThat(AnswerMetrics.relevancy(new float[] {3, 4}, new float[] {4, 3}))
        .isCloseTo(0.96, within(1e-9));
    assertThat(AnswerMetrics.relevancy(new float[] {1, 0}, new float[] {-1, 0})).isZero();
    assertThat(AnswerMetrics.cosine(new float[] {0, 0}, new float[] {1, 0})).isZero();
    assertThatThrownBy(() -> AnswerMetrics.cosine(new float[] {1}, new float[] {1, 0}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void an_on_topic_answer_is_more_relevant_than_an_off_topic_one_with_a_real_model() {
    var model = EmbeddingModels.get("all-minilm-l6-v2-q");
    float[] question = model.embed("Does aspirin prevent heart attacks?").content().vector();
    float[] onTopic =
        model
            .embed(
                AnswerMetrics.withoutCitations(
                    "Daily low-dose aspirin reduces the risk of a first heart attack [1]."))
            .content()
            .vector();
    float[] offTopic =
        model.embed("Glaciers in Greenland are melting faster every decade.").content().vector();

    double on = AnswerMetrics.relevancy(question, onTopic);
    double off = AnswerMetrics.relevancy(question, offTopic);
    assertThat(on).isBetween(0.0, 1.0).isGreaterThan(off + 0.3);
    assertThat(off).isBetween(0.0, 1.0);
  }

  @Test
  void citations_are_removed_from_the_text_and_read_in_order() {
    assertThat(AnswerMetrics.withoutCitations("Aspirin helps [2, 1] a lot [3].  Yes [1]"))
        .isEqualTo("Aspirin helps a lot. Yes");
    assertThat(AnswerMetrics.citations("x [2, 1] y [3] z [1]")).containsExactly(2, 1, 3);
  }

  @Test
  void thresholds_are_known_per_embedding_model_and_strict_otherwise() {
    assertThat(AnswerMetrics.minCosine("bge-small-en-v1.5-q")).isEqualTo(0.90);
    assertThat(AnswerMetrics.minCosine("all-minilm-l6-v2-q")).isEqualTo(0.85);
    assertThat(AnswerMetrics.minCosine("something-else")).isEqualTo(0.95);
  }

  /** Gives each distinct text its own unit vector. */
  private static final class Orthogonal implements AnswerMetrics.Embedder {
    private final List<String> seen = new ArrayList<>();

    @Override
    public float[] embed(String text) {
      int i = seen.indexOf(text);
      if (i < 0) {
        seen.add(text);
        i = seen.size() - 1;
      }
      float[] v = new float[64];
      v[i] = 1;
      return v;
    }
  }
}
