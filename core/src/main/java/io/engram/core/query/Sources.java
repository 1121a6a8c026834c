package io.engram.core.query;

import io.engram.contract.Queries.Source;
import io.engram.core.memory.MemoryHit;
import io.engram.core.retrieval.Candidate;

/**
 * The sources of an answer, the contract's {@link Source} records: made from a retrieved chunk or a
 * recalled fact, and told apart by their tier.
 */
public final class Sources {

  /** Characters of a passage shown as its snippet. */
  public static final int SNIPPET_CHARS = 300;

  /** The tier of a document chunk. */
  public static final String DOCUMENT = "document";

  private Sources() {}

  /** A retrieved chunk, with its reranked (or fused) score and its text's {@link #snippet}. */
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

  /** A recalled fact, with its recall score and its whole text. */
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
  public static boolean isDocument(Source s) {
    return DOCUMENT.equals(s.tier());
  }

  /** The text with runs of white space folded, cut at {@link #SNIPPET_CHARS} characters. */
  public static String snippet(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= SNIPPET_CHARS ? flat : flat.substring(0, SNIPPET_CHARS) + "…";
  }
}
