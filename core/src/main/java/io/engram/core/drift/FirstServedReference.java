package io.engram.core.drift;

import io.engram.core.querylog.QueryLog;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The reference the design prescribes for version 1 of a collection's model: the first N live
 * queries of the collection that its serving model version answered. Until N have been served the
 * reference is smaller (and a check says "insufficient data" below the minimum sample).
 */
public final class FirstServedReference implements DriftReference {
  public static final String SOURCE = "first-served";

  private final QueryLog queryLog;
  private final Function<String, String> servingVersion;

  /**
   * @param servingVersion the name of the model version serving a collection, as {@code
   *     query_log.model_version} records it (today the champion pipeline's, the same for every
   *     collection)
   */
  public FirstServedReference(QueryLog queryLog, Function<String, String> servingVersion) {
    this.queryLog = queryLog;
    this.servingVersion = servingVersion;
  }

  @Override
  public Window reference(String collection, int size) {
    String version = servingVersion.apply(collection);
    List<QueryLog.Featured> first = queryLog.firstFeatured(collection, version, size);
    return new Window(
        version,
        SOURCE,
        first.stream().map(QueryLog.Featured::features).toList(),
        first.stream().map(QueryLog.Featured::id).collect(Collectors.toSet()));
  }
}
