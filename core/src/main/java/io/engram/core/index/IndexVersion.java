package io.engram.core.index;

/** One way of turning documents into vectors: a model plus a chunking configuration. */
public record IndexVersion(
    int id,
    String name,
    String embeddingModel,
    int dimension,
    int chunkSize,
    int chunkOverlap,
    String stage) {

  /** The SQL type of this version's vectors, used in casts so the partial HNSW index applies. */
  public String vectorType() {
    return "vector(" + dimension + ")";
  }
}
