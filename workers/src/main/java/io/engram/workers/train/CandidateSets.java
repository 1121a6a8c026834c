package io.engram.workers.train;

import io.engram.core.retrieval.Candidate;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.RetrievalOptions;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fused candidates of many queries, retrieved through the real {@link HybridRetriever} with the
 * reranker off: exactly the lists a reranker receives on the query path.
 *
 * @param indexVersion the index version that answered
 * @param hits query id to its candidates, in fusion order
 */
public record CandidateSets(String indexVersion, Map<String, List<Candidate>> hits) {

  /** Retrieves every query in {@code queries} (id to text), one at a time. */
  public static CandidateSets retrieve(
      HybridRetriever retriever,
      String collection,
      Map<String, String> queries,
      RetrievalOptions options,
      PrintStream progress)
      throws SQLException {
    RetrievalOptions fusionOnly = options.withRerank(false);
    Map<String, List<Candidate>> hits = new LinkedHashMap<>();
    String version = null;
    long start = System.nanoTime();
    for (Map.Entry<String, String> q : queries.entrySet()) {
      HybridRetriever.Result result = retriever.retrieve(collection, q.getValue(), fusionOnly);
      version = result.version().name();
      hits.put(q.getKey(), result.hits());
      if (hits.size() % 100 == 0 || hits.size() == queries.size()) {
        progress.printf(
            Locale.ROOT,
            "  retrieved %d/%d queries (%.0f s)%n",
            hits.size(),
            queries.size(),
            (System.nanoTime() - start) / 1e9);
      }
    }
    return new CandidateSets(version, hits);
  }
}
