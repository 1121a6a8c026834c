package io.engram.core.query;

import io.engram.core.memory.MemoryHit;
import io.engram.core.retrieval.Candidate;

/**
 * A source of an answer: a document chunk ({@code tier} {@code document}) or a remembered fact
 * ({@code tier} {@code episodic} or {@code semantic}, {@code source} {@code memory:<tier>/<id>},
 * document and chunk ids 0).
 *
 * @param snippet the start of the text, at most {@link #SNIPPET_CHARS} characters
 * @param score the reranked (or fused) score of a chunk, the recall score of a fact
 */
public record Source(
    long documentId,
    long chunkId,
    String source,
    String title,
    String snippet,
    double score,
    String tier) {

  /** Characters of a passage shown as its snippet. */
  public static final int SNIPPET_CHARS = 300;

  public static final String DOCUMENT = "document";

  static Source of(Candidate c) {
    var chunk = c.chunk();
    return new Source(
        chunk.documentId(),
        chunk.chunkId(),
        chunk.source(),
        chunk.title(),
        snippet(chunk.text()),
        c.score(),
        DOCUMENT);
  }

  static Source of(MemoryHit fact) {
    return new Source(
        0,
        0,
        fact.source(),
        "memory: " + fact.subject(),
        fact.text(),
        fact.score(),
        fact.tier().wireName());
  }

  /** Whether it is a document chunk rather than a remembered fact. */
  public boolean document() {
    return DOCUMENT.equals(tier);
  }

  /** The text with runs of white space folded, cut at {@link #SNIPPET_CHARS} characters. */
  public static String snippet(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= SNIPPET_CHARS ? flat : flat.substring(0, SNIPPET_CHARS) + "…";
  }
}
