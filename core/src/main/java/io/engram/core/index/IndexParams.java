package io.engram.core.index;

/**
 * What a request asks of the index its documents go to. Each null field takes the value of the
 * index version it starts from (the collection's serving index, else the installation's champion).
 *
 * @param embeddingModel the embedding model's name (see {@link
 *     io.engram.core.embedding.EmbeddingModels}), or null
 * @param chunkSize chunk size in characters, or null
 * @param chunkOverlap chunk overlap in characters, or null
 */
public record IndexParams(String embeddingModel, Integer chunkSize, Integer chunkOverlap) {

  /** Nothing asked: the index it starts from. */
  public static final IndexParams BASE = new IndexParams(null, null, null);

  /** Only chunking asked, with the base's model. */
  public static IndexParams chunking(Integer chunkSize, Integer chunkOverlap) {
    return new IndexParams(null, chunkSize, chunkOverlap);
  }
}
