package io.engram.core.query;

import io.engram.core.collection.CollectionRegistry;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rerank.Reranker;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.RetrievalSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link QueryPipeline} per live model version, built on first use and reused: each
 * collection's champion that serves, and any other version a caller names (an evaluation of a
 * candidate; later the rollout's candidate arm). Rerankers are loaded once per distinct setting and
 * shared between the versions that use them.
 *
 * <p>A collection's champion is the registered version its {@code champion} alias points at, looked
 * up at most every {@link #CHAMPION_TTL}, not on every query: an alias moved by a rollout serves
 * within that time on every replica. A collection with no registered version yet is served by the
 * default bundle: the champion index version with the configured retrieval and reranker.
 */
public final class QueryPipelines implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryPipelines.class);

  /** How long a champion's identity is trusted before it is read again. */
  public static final Duration CHAMPION_TTL = Duration.ofSeconds(5);

  /** The key under which the default bundle's champion is cached. */
  private static final String DEFAULT_BUNDLE = "";

  private final IndexVersions indexVersions;
  private final ModelRegistry registry;
  private final RetrievalSettings retrieval;
  private final RerankerSettings reranker;
  private final QueryPipeline.Shared shared;
  private final LongSupplier nanoClock;
  private final Map<RerankerSettings, Reranker> rerankers = new ConcurrentHashMap<>();
  private final Map<ModelVersion, QueryPipeline> pipelines = new ConcurrentHashMap<>();
  private final Map<String, Resolved> champions = new ConcurrentHashMap<>();
  private final Map<Long, QueryPipeline> byVersionId = new ConcurrentHashMap<>();

  private record Resolved(QueryPipeline pipeline, long atNanos) {}

  /**
   * @param retrieval how the default bundle retrieves (and versions named only by their index)
   * @param reranker the default bundle's reranker
   * @param nanoClock the time a champion's lookup ages by ({@code System::nanoTime})
   */
  public QueryPipelines(
      IndexVersions indexVersions,
      ModelRegistry registry,
      RetrievalSettings retrieval,
      RerankerSettings reranker,
      QueryPipeline.Shared shared,
      LongSupplier nanoClock) {
    this.indexVersions = indexVersions;
    this.registry = registry;
    this.retrieval = retrieval;
    this.reranker = reranker;
    this.shared = shared;
    this.nanoClock = nanoClock;
    // Loaded now, so a reranker that cannot load stops the process at start, not the first query.
    log.info("reranker: {}", reranker(reranker).name());
  }

  /**
   * Answers one turn with the champion of the collection it is asked in (the question's, else the
   * session's, else the tenant's {@code default}).
   *
   * @throws UnknownResourceException when the question names a session or collection that does not
   *     exist, or is another tenant's
   */
  public QueryResult ask(Question q) {
    String collection = collectionOf(q);
    return champion(collection)
        .ask(new Question(q.tenant(), q.text(), q.sessionId(), collection, q.topK(), q.fresh()));
  }

  /**
   * The collection a turn is asked in: the question's, else its session's, else the tenant's {@code
   * default}.
   *
   * @throws UnknownResourceException when the question names a session that does not exist, or a
   *     collection or session of another tenant
   * @throws ContradictoryQuestionException when it names a session and another collection
   */
  public String collectionOf(Question q) {
    String collection = q.collection();
    if (q.sessionId() != null) {
      collection =
          shared
              .memory()
              .collectionOf(q.tenant(), q.sessionId())
              .orElseThrow(() -> QueryPipeline.noSession(q));
      QueryPipeline.requireSameCollection(q, collection);
    }
    collection =
        collection == null ? q.tenant().collection(CollectionRegistry.DEFAULT) : collection;
    if (!q.tenant().owns(collection)) {
      throw QueryPipeline.noCollection(collection);
    }
    return collection;
  }

  /** The pipeline of the default bundle: the champion index version as configured. */
  public QueryPipeline champion() {
    return resolved(
        DEFAULT_BUNDLE,
        () ->
            get(
                new ModelVersion(
                    indexVersions
                        .champion()
                        .orElseThrow(
                            () ->
                                new IllegalStateException(
                                    "no champion index version yet; start the worker")),
                    retrieval,
                    reranker,
                    null)));
  }

  /**
   * The pipeline of {@code collection}'s champion: the registered version its {@code champion}
   * alias points at, or the default bundle while it has none.
   */
  public QueryPipeline champion(String collection) {
    return resolved(
        collection,
        () ->
            registry
                .alias(collection, ModelAliases.CHAMPION)
                .map(this::forRegistered)
                .orElseGet(this::champion));
  }

  private QueryPipeline resolved(String key, java.util.function.Supplier<QueryPipeline> lookup) {
    long now = nanoClock.getAsLong();
    Resolved current = champions.get(key);
    if (current != null && now - current.atNanos() < CHAMPION_TTL.toNanos()) {
      return current.pipeline();
    }
    QueryPipeline pipeline = lookup.get();
    champions.put(key, new Resolved(pipeline, now));
    return pipeline;
  }

  /**
   * The pipeline of registered version {@code version} of {@code collection}, serving or not.
   *
   * @throws UnknownResourceException when there is no such version
   */
  public QueryPipeline forRegistered(String collection, int version) {
    return forRegistered(
        registry
            .find(collection, version)
            .orElseThrow(
                () ->
                    new UnknownResourceException(
                        "model-version",
                        "no model version " + RegisteredVersion.label(collection, version))));
  }

  /**
   * The pipeline of the registered version with row id {@code id}. What a version serves never
   * changes once it is registered, so the pipeline is looked up once per id and kept: routing asks
   * for one on every query.
   */
  public QueryPipeline forRegistered(long id) {
    QueryPipeline known = byVersionId.get(id);
    if (known != null) {
      return known;
    }
    QueryPipeline pipeline =
        forRegistered(
            registry
                .byId(id)
                .orElseThrow(
                    () ->
                        new UnknownResourceException("model-version", "no model version #" + id)));
    byVersionId.put(id, pipeline);
    return pipeline;
  }

  /** The pipeline of {@code version}: its index version, retrieval settings and reranker. */
  public QueryPipeline forRegistered(RegisteredVersion version) {
    IndexVersion index =
        indexVersions
            .byId(version.indexVersionId())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        version.label()
                            + " names index version "
                            + version.indexVersionId()
                            + ", which is gone"));
    return get(
        new ModelVersion(
            index, version.bundle().retrieval(), version.bundle().reranker(), version.label()));
  }

  /**
   * The pipeline of the index version called {@code name}, with the default bundle's retrieval
   * settings and reranker.
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
    return get(new ModelVersion(index, retrieval, reranker, null));
  }

  /**
   * The pipeline of {@code index} searched with {@code settings} and the default bundle's reranker:
   * what an evaluation of an unregistered version stored when it started, so every batch of it
   * measures the same path.
   */
  public QueryPipeline forIndex(IndexVersion index, RetrievalSettings settings) {
    return get(new ModelVersion(index, settings, reranker, null));
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

  /** The registered version the pipeline of {@code collection}'s champion serves, if any. */
  public Optional<RegisteredVersion> championVersion(String collection) {
    return registry.alias(collection, ModelAliases.CHAMPION);
  }

  /** The reranker {@code settings} describe, loaded once (a stored artifact from the registry). */
  public Reranker reranker(RerankerSettings settings) {
    return rerankers.computeIfAbsent(settings, s -> Rerankers.create(s, registry::artifact));
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
