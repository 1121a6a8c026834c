package io.engram.core.memory;

import java.time.Instant;
import java.util.List;

/**
 * A remembered fact that matches a query.
 *
 * @param tier episodic or semantic
 * @param factId the fact's id in its tier
 * @param score fused relevance (dense and full text) used for ranking
 * @param dense cosine similarity to the query
 * @param lexical full-text rank against the query (0 when no word matched)
 * @param sourceTurnIds lineage: the turns the fact was distilled from
 * @param since when the fact was first stored
 * @param episodicFactId for a semantic fact, the episodic fact it was promoted from; else the id
 */
public record MemoryHit(
    MemoryTier tier,
    long factId,
    String subject,
    FactKind kind,
    String text,
    double score,
    double dense,
    double lexical,
    double salience,
    int citations,
    List<Long> sourceTurnIds,
    Instant since,
    long episodicFactId) {

  /** The source name in query responses, e.g. {@code memory:semantic/3}. */
  public String source() {
    return tier.source(factId);
  }

  MemoryHit withScore(double fused) {
    return new MemoryHit(
        tier,
        factId,
        subject,
        kind,
        text,
        fused,
        dense,
        lexical,
        salience,
        citations,
        sourceTurnIds,
        since,
        episodicFactId);
  }
}
