package io.engram.core.query;

import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.rerank.Reranker;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.RetrievalSettings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link QueryPipeline} per live model version, built on first use and reused: the champion
 * that serves, and any other version a caller names (an evaluation of a candidate; later the
 * rollout's candidate arm). Rerankers are loaded once per distinct setting and shared between the
 * versions that use them.
 *
 * <p>The champion is looked up in the database at most every {@link #CHAMPION_TTL}, not on every
 * query: a champion moved by a rollout serves within that time on every replica.
 */
public final class QueryPipelines implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryPipelines.class);

  /** How long the champion's identity is trusted before it is read again. */
  public static final Duration CHAMPION_TTL = Duration.ofSeconds(5);

  private final IndexVersions indexVersions;
  private final RetrievalSettings retrieval;
  private final RerankerSettings reranker;
  private final QueryPipeline.Shared shared;
  private final LongSupplier nanoClock;
  private final Map<RerankerSettings, Reranker> rerankers = new ConcurrentHashMap<>();
  private final Map<ModelVersion, QueryPipeline> pipelines = new ConcurrentHashMap<>();

  private record Resolved(QueryPipeline pipeline, long atNanos) {}

  private volatile Resolved champion;

  /**
   * @param retrieval how the champion retrieves (and other versions named only by their index)
   * @param reranker the champion's reranker
   * @param nanoClock the time the champion's lookup ages by ({@code System::nanoTime})
   */
  public QueryPipelines(
      IndexVersions indexVersions,
      RetrievalSettings retrieval,
      RerankerSettings reranker,
      QueryPipeline.Shared shared,
      LongSupplier nanoClock) {
    this.indexVersions = indexVersions;
    this.retrieval = retrieval;
    this.reranker = reranker;
    this.shared = shared;
    this.nanoClock = nanoClock;
    // Loaded now, so a reranker that cannot load stops the process at start, not the first query.
    log.info("reranker: {}", reranker(reranker).name());
  }

  /**
   * The pipeline of the serving model version.
   *
   * @throws IllegalStateException when the database has no champion yet (no worker ever started)
   */
  public QueryPipeline champion() {
    Resolved current = champion;
    long now = nanoClock.getAsLong();
    if (current != null && now - current.atNanos() < CHAMPION_TTL.toNanos()) {
      return current.pipeline();
    }
    IndexVersion index =
        indexVersions
            .champion()
            .orElseThrow(
                () -> new IllegalStateException("no champion index version yet; start the worker"));
    QueryPipeline pipeline = get(new ModelVersion(index, retrieval, reranker));
    champion = new Resolved(pipeline, now);
    return pipeline;
  }

  /**
   * The pipeline of the index version called {@code name}, with the champion's retrieval settings
   * and reranker.
   *
   * @throws UnknownResourceException when there is no such index version
   */
  public QueryPipeline forIndexVersion(String name) {
    IndexVersion index =
        indexVersions
            .byName(name)
            .orElseThrow(
                () ->
                    new UnknownResourceException(
                        "model-version", "no model version (index version) named '" + name + "'"));
    return get(new ModelVersion(index, retrieval, reranker));
  }

  /**
   * The pipeline of {@code index} searched with {@code settings} and the champion's reranker: what
   * an evaluation run stored when it started, so every batch of it measures the same path.
   */
  public QueryPipeline forIndex(IndexVersion index, RetrievalSettings settings) {
    return get(new ModelVersion(index, settings, reranker));
  }

  /** The pipeline of {@code version}, built on first use. */
  public QueryPipeline get(ModelVersion version) {
    return pipelines.computeIfAbsent(
        version,
        v -> {
          QueryPipeline p = new QueryPipeline(v, reranker(v.reranker()), shared);
          log.info("query pipeline for model version {}", p.name());
          return p;
        });
  }

  /** The reranker {@code settings} describe, loaded once. */
  public Reranker reranker(RerankerSettings settings) {
    return rerankers.computeIfAbsent(settings, Rerankers::create);
  }

  /** Closes the rerankers that hold native resources (cross-encoders). */
  @Override
  public void close() {
    for (Reranker r : rerankers.values()) {
      if (r instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          log.warn("could not close reranker {}: {}", r.name(), e.getMessage());
        }
      }
    }
  }
}
