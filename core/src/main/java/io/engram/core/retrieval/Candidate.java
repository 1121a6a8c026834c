package io.engram.core.retrieval;

import io.engram.core.store.PgVectorChunkStore.ChunkHit;

/**
 * A retrieved chunk with what each retrieval leg said about it: the unit fusion produces and a
 * reranker reorders. Its own type (rather than a member of the retriever) so that rerankers depend
 * on retrieval's output and retrieval never depends on rerankers.
 *
 * @param chunk the chunk and its document
 * @param score the fused score, or a reranker's score once reranked
 * @param dense what the dense (pgvector) leg said; {@link Leg#ABSENT} when it did not return it
 * @param lexical what the full-text leg said; {@link Leg#ABSENT} when it did not return it
 */
public record Candidate(ChunkHit chunk, double score, Leg dense, Leg lexical) {

  /**
   * One leg's view of a chunk.
   *
   * @param normalized the leg's min-max-normalized score in [0, 1]
   * @param raw the leg's own score: cosine similarity (dense) or {@code ts_rank} (full text)
   * @param rank 1-based rank in the leg, 0 when the leg did not return the chunk
   */
  public record Leg(double normalized, double raw, int rank) {
    public static final Leg ABSENT = new Leg(0, 0, 0);

    /** Whether the leg returned the chunk. */
    public boolean present() {
      return rank > 0;
    }
  }

  /** A candidate whose legs report only normalized scores (no raw scores or ranks). */
  public static Candidate fused(ChunkHit chunk, double score, double dense, double lexical) {
    return new Candidate(chunk, score, new Leg(dense, 0, 0), new Leg(lexical, 0, 0));
  }

  /** The same candidate carrying another score (a reranker's). */
  public Candidate withScore(double newScore) {
    return new Candidate(chunk, newScore, dense, lexical);
  }
}
