package io.engram.workflows.ingestion;

/**
 * The parameters of an index version, as a rebuild asks for it: each null takes the value of the
 * index the collection is served from.
 *
 * @param embeddingModel the embedding model's name; null also in histories recorded before the
 *     model was an index parameter (their indexes used the serving index's model)
 * @param chunkSize chunk size in characters
 * @param chunkOverlap chunk overlap in characters
 */
public record IndexParams(String embeddingModel, Integer chunkSize, Integer chunkOverlap) {}
