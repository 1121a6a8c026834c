package io.engram.core.drift;

/**
 * The features of a live query that drift detection compares, by the name reports, metrics and the
 * {@code query_log} columns use.
 */
public enum Feature {
  /** How long queries are: a shift in how people ask. */
  QUERY_TERMS("query_terms"),
  /** How much of a query the collection's vocabulary covers: new topics show here first. */
  UNKNOWN_TERM_SHARE("unknown_term_share"),
  /** How close the nearest chunk is: off-topic queries find nothing near. */
  TOP_DENSE_SCORE("top_dense_score"),
  /** How well the two legs agree on the best chunk, before any reranker. */
  TOP_FUSED_SCORE("top_fused_score"),
  /** How clearly the best chunk stands out from the rest of what is returned. */
  SCORE_SPREAD("score_spread");

  private final String wireName;

  Feature(String wireName) {
    this.wireName = wireName;
  }

  /** The name in reports, metric tags and {@code query_log}. */
  public String wireName() {
    return wireName;
  }
}
