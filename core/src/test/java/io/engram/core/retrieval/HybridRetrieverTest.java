package io.engram.core.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.util.List;
import org.junit.jupiter.api.Test;

class HybridRetrieverTest {

  private static ChunkHit hit(long id, double score) {
    return new ChunkHit(id, id, "doc" + id, "t", "text", score);
  }

  @Test
  void fusion_weights_normalized_scores_of_both_legs() {
    List<ChunkHit> dense = List.of(hit(1, 0.9), hit(2, 0.8), hit(3, 0.7));
    List<ChunkHit> lexical = List.of(hit(3, 12.0), hit(4, 2.0));
    List<Candidate> fused = HybridRetriever.fuse(dense, lexical, 0.8);
    // Chunk 1: 0.8 * 1.0; chunk 3: 0.8 * 0 + 0.2 * 1.0; chunk 2: 0.8 * 0.5; chunk 4: 0.
    assertThat(fused).extracting(h -> h.chunk().chunkId()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(fused.get(0).score()).isEqualTo(0.8);
    assertThat(fused.get(2).lexical().normalized()).isEqualTo(1.0);
  }

  @Test
  void a_strong_lexical_match_can_overtake_a_middling_dense_one() {
    List<ChunkHit> dense = List.of(hit(1, 0.9), hit(2, 0.85), hit(3, 0.5));
    List<ChunkHit> lexical = List.of(hit(2, 9.0), hit(3, 1.0));
    List<Candidate> fused = HybridRetriever.fuse(dense, lexical, 0.5);
    assertThat(fused.get(0).chunk().chunkId()).isEqualTo(2L);
  }

  @Test
  void dense_only_ignores_the_lexical_leg() {
    List<Candidate> fused =
        HybridRetriever.fuse(List.of(hit(1, 0.9), hit(2, 0.1)), List.of(hit(2, 5.0)), 1.0);
    assertThat(fused).extracting(h -> h.chunk().chunkId()).containsExactly(1L, 2L);
  }

  @Test
  void hits_keep_each_legs_raw_score_and_rank() {
    List<ChunkHit> dense = List.of(hit(1, 0.9), hit(3, 0.7));
    List<ChunkHit> lexical = List.of(hit(4, 0.2), hit(3, 0.05));
    List<Candidate> fused = HybridRetriever.fuse(dense, lexical, 0.8);
    Candidate three =
        fused.stream().filter(h -> h.chunk().chunkId() == 3L).findFirst().orElseThrow();
    assertThat(three.dense().raw()).isEqualTo(0.7);
    assertThat(three.dense().rank()).isEqualTo(2);
    assertThat(three.lexical().raw()).isEqualTo(0.05);
    assertThat(three.lexical().rank()).isEqualTo(2);
    Candidate four =
        fused.stream().filter(h -> h.chunk().chunkId() == 4L).findFirst().orElseThrow();
    assertThat(four.dense().rank()).isZero();
    assertThat(four.dense().raw()).isZero();
    assertThat(four.lexical().rank()).isEqualTo(1);
    assertThat(four.withScore(0.3).score()).isEqualTo(0.3);
    assertThat(four.withScore(0.3).lexical().rank()).isEqualTo(1);
  }
}
