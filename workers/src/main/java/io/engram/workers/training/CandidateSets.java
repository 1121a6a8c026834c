package io.engram.workers.training;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.index.IndexVersion;
import io.engram.core.query.ExchangeListener;
import io.engram.core.query.QueryPipeline;
import io.engram.core.retrieval.Candidate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fused candidates of many queries, retrieved through the real query pipeline with the reranker
 * off: exactly the lists a reranker receives on the query path.
 *
 * @param indexVersion the index version that answered
 * @param hits query id to its candidates, in fusion order
 */
public record CandidateSets(String indexVersion, Map<String, List<Candidate>> hits) {

  /**
   * Retrieves the {@code depth} fused candidates of every query in {@code queries} (id to text),
   * one at a time, through the query pipeline of {@code indexVersion} (null: the champion) built
   * from {@code settings} with its reranker off.
   */
  public static CandidateSets retrieve(
      EngramSettings settings,
      String indexVersion,
      String collection,
      Map<String, String> queries,
      int depth,
      PrintStream progress)
      throws SQLException {
    try (CoreServices core = CoreServices.open(settings, "engram-candidates", 4)) {
      var pipelines = core.queryPipelines(new SimpleMeterRegistry(), ExchangeListener.NONE);
      IndexVersion index =
          indexVersion == null
              ? pipelines.champion().version().index()
              : pipelines.forIndexVersion(indexVersion).version().index();
      QueryPipeline fusionOnly = pipelines.forIndex(index, settings.retrieval().withRerank(false));
      Map<String, List<Candidate>> hits = new LinkedHashMap<>();
      long start = System.nanoTime();
      for (Map.Entry<String, String> q : queries.entrySet()) {
        hits.put(
            q.getKey(), fusionOnly.retrieve(collection, q.getValue(), depth, true).candidates());
        if (hits.size() % 100 == 0 || hits.size() == queries.size()) {
          progress.printf(
              Locale.ROOT,
              "  retrieved %d/%d queries (%.0f s)%n",
              hits.size(),
              queries.size(),
              (System.nanoTime() - start) / 1e9);
        }
      }
      return new CandidateSets(index.name(), hits);
    }
  }
}
