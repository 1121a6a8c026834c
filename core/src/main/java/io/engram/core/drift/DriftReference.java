package io.engram.core.drift;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The reference window of a collection: the model version serving it, and the features of the
 * queries that version's behaviour was established on, which recent live queries are compared with.
 *
 * <p>The seam for the model registry. The rule of the design is "the queries the champion was
 * fitted or gated on"; until the registry records those, {@link FirstServedReference} gives the
 * rule it prescribes for version 1: the first N live queries the serving version answered. A
 * registry-backed implementation returns the champion's name as {@code query_log} records it, the
 * features of its gating queries (computed with {@link OfflineFeatures} when it is gated) and no
 * live query ids.
 */
public interface DriftReference {

  /**
   * The reference of the model version serving {@code collection}, at most {@code size} queries.
   */
  Window reference(String collection, int size);

  /**
   * A reference window.
   *
   * @param modelVersion the serving model version, as {@code query_log.model_version} names it: the
   *     recent window is that version's last live queries
   * @param source where the reference comes from, e.g. {@link FirstServedReference#SOURCE}
   * @param features the reference queries' features
   * @param liveQueryIds the {@code query_log} rows the reference is made of, which the recent
   *     window leaves out (a query is never compared with itself); empty when the reference is not
   *     live traffic
   */
  record Window(
      String modelVersion, String source, List<QueryFeatures> features, Set<UUID> liveQueryIds) {
    public Window {
      Objects.requireNonNull(modelVersion, "modelVersion");
      Objects.requireNonNull(source, "source");
      features = List.copyOf(features);
      liveQueryIds = Set.copyOf(liveQueryIds);
    }
  }
}
