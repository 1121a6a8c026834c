package io.engram.core.drift;

import io.engram.core.query.QueryPipeline;
import io.engram.core.retrieval.RetrievalSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * The features of queries that are not live traffic (a labelled set a model version was gated on),
 * computed the way the query path computes a live query's: retrieval of the default number of
 * chunks through the version's pipeline, then the same score and text features. What a
 * registry-backed {@link DriftReference} stores for a version when it is gated.
 */
public final class OfflineFeatures {
  private OfflineFeatures() {}

  public static List<QueryFeatures> of(
      QueryPipeline pipeline,
      QueryFeatureExtractor extractor,
      String collection,
      List<String> queries) {
    RetrievalSettings r = pipeline.version().retrieval();
    double denseWeight = r.mode() == RetrievalSettings.Mode.HYBRID ? r.denseWeight() : 1.0;
    int indexVersionId = pipeline.version().index().id();
    List<QueryFeatures> out = new ArrayList<>(queries.size());
    for (String query : queries) {
      QueryPipeline.Retrieval retrieval =
          pipeline.retrieve(collection, query, QueryFeatures.SPREAD_RANK, false);
      out.add(
          extractor.extract(
              indexVersionId,
              collection,
              query,
              QueryFeatures.scores(retrieval.candidates(), denseWeight)));
    }
    return out;
  }
}
