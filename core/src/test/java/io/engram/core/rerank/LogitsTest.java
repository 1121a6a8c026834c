package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogitsTest {

  private static Candidate candidate(long chunk) {
    return new Candidate(
        new ChunkHit(chunk, chunk, "doc" + chunk, "title", "text", 0.8),
        0.5,
        new Candidate.Leg(0.5, 0.8, 1),
        new Candidate.Leg(0.5, 0.05, 1));
  }

  private static List<Long> chunks(List<Candidate> candidates) {
    return candidates.stream().map(c -> c.chunk().chunkId()).toList();
  }

  @Test
  void orders_by_descending_logit_and_scores_with_the_logistic() {
    List<Candidate> out =
        Logits.order(List.of(candidate(1), candidate(2), candidate(3)), new double[] {-1, 2, 0});

    assertThat(chunks(out)).containsExactly(2L, 3L, 1L);
    assertThat(out.get(0).score()).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-12));
    assertThat(out.get(1).score()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void equal_logits_keep_the_fusion_order() {
    List<Candidate> out =
        Logits.order(List.of(candidate(1), candidate(2), candidate(3)), new double[] {0, 1, 0});

    assertThat(chunks(out)).containsExactly(2L, 1L, 3L);
  }

  @Test
  void refuses_logits_that_do_not_match_the_candidates() {
    assertThatThrownBy(() -> Logits.order(List.of(candidate(1)), new double[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
