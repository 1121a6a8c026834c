package io.engram.core.query;

import io.engram.contract.Queries.Source;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.drift.QueryFeatureExtractor;
import io.engram.core.drift.QueryFeatures;
import io.engram.core.faults.Faults;
import io.engram.core.memory.Intent;
import io.engram.core.memory.IntentClassifier;
import io.engram.core.memory.MemoryHit;
import io.engram.core.memory.WorkingMemory;
import io.engram.core.querylog.QueryLog;
import io.engram.core.rerank.Reranker;
import io.engram.core.retrieval.Candidate;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.ResponseCache;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.core.rollout.TeamDraft;
import io.engram.core.tenant.Tenant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query path of one {@link ModelVersion}: working memory → intent and rewriting of follow-ups →
 * hybrid retrieval and reranking, beside recall of the asker's remembered facts → an answer (LLM or
 * extractive) with citations → working memory and the query log updated. Built once per model
 * version by {@link QueryPipelines} and called by everything that asks questions: the API ({@link
 * #ask}), the evaluation workflow ({@link #retrieve}, {@link #answer}) and the benchmarks. Nothing
 * else assembles these steps. Thread-safe.
 */
public final class QueryPipeline {
  private static final Logger log = LoggerFactory.getLogger(QueryPipeline.class);

  /**
   * What every pipeline of a process shares, whatever its model version.
   *
   * @param retriever both retrieval legs and their fusion
   * @param collections which collections exist
   * @param memory sessions' working memory
   * @param conversation how many turns are read, when distillation is signalled
   * @param classifier intent classification and rewriting of follow-ups
   * @param recall the asker's remembered facts
   * @param answerer the LLM or extractive answer
   * @param exchanges told after an exchange is appended to a session
   * @param queryLog where answered queries are recorded
   * @param responses answers to sessionless questions, keyed by all they depend on
   * @param metrics the query path's metrics
   * @param background runs what must not slow the answer (the query log insert)
   * @param features computes the drift features of a logged query, in the background
   * @param faults latency switched on for a model version (tests and the rollout simulator)
   */
  public record Shared(
      HybridRetriever retriever,
      CollectionRegistry collections,
      WorkingMemory memory,
      ConversationSettings conversation,
      IntentClassifier classifier,
      MemoryRecall recall,
      Answerer answerer,
      ExchangeListener exchanges,
      QueryLog queryLog,
      ResponseCache<CachedAnswer> responses,
      QueryMetrics metrics,
      Executor background,
      QueryFeatureExtractor features,
      Faults faults) {}

  /**
   * What the response cache keeps: everything of a response but what is per request, and the
   * retrieval's drift scores, which a repeated query is logged with too.
   */
  public record CachedAnswer(
      String answer,
      String answerMode,
      List<Integer> citations,
      String warning,
      List<Source> sources,
      Map<String, Double> timings,
      QueryFeatures.Scores scores) {}

  /**
   * The chunks a retrieval returned, best first, and how long each step took.
   *
   * @param modelVersion the name of the model version that retrieved them
   */
  public record Retrieval(
      String modelVersion, List<Candidate> candidates, Map<String, Double> timings) {}

  /** An answer generated from a retrieval, without a session (the evaluation's answer tier). */
  public record Answered(Retrieval retrieval, Answerer.Answer answer) {}

  /**
   * How a turn is served during a rollout, for the query log and the response.
   *
   * @param rolloutId the rollout that routed it; null outside a rollout
   * @param arm {@code champion}, {@code candidate}, {@code interleaved} or {@code fallback}; null
   *     outside a rollout
   * @param interleaveWith for {@code interleaved}: the candidate's pipeline, whose ranking is
   *     merged with this one's by team draft (this one is team {@link TeamDraft#A})
   * @param seed the team draft's coin tosses
   */
  public record Serving(Long rolloutId, String arm, QueryPipeline interleaveWith, long seed) {
    /** Outside any rollout. */
    public static final Serving DIRECT = new Serving(null, null, null, 0);

    /** Served by one arm of rollout {@code rolloutId}. */
    public static Serving arm(long rolloutId, String arm) {
      return new Serving(rolloutId, arm, null, 0);
    }
  }

  private final ModelVersion version;
  private final Reranker reranker;
  private final String name;
  private final Shared shared;

  QueryPipeline(ModelVersion version, Reranker reranker, Shared shared) {
    this.version = version;
    this.reranker = reranker;
    this.shared = shared;
    this.name = name(version, reranker);
  }

  /**
   * The name responses and results report: a registered version's label ({@code scifact/v3}), or
   * for an unregistered bundle the index version and the reranker when one reorders (e.g. {@code
   * bge-small-en-v1.5-q-c1024-o200+linear-scifact-v1}).
   */
  static String name(ModelVersion version, Reranker reranker) {
    if (version.label() != null) {
      return version.label();
    }
    boolean reranks = version.retrieval().rerank() && reranker != Reranker.NONE;
    return reranks ? version.index().name() + "+" + reranker.name() : version.index().name();
  }

  public ModelVersion version() {
    return version;
  }

  /** The model version's name in results, see {@link #name(ModelVersion, Reranker)}. */
  public String name() {
    return name;
  }

  /**
   * The {@code topK} best chunks of {@code collection} for {@code text}: both retrieval legs,
   * fusion, and this version's reranker over the fused candidates.
   *
   * @param fresh embed the query afresh even when its embedding is cached
   */
  public Retrieval retrieve(String collection, String text, int topK, boolean fresh) {
    shared.faults().delay(name);
    boolean rerank = version.retrieval().rerank() && reranker != Reranker.NONE;
    // The reranker sees every fused candidate, not just the top k.
    int depth = rerank ? Math.max(topK, version.retrieval().candidates()) : topK;
    HybridRetriever.Fused fused =
        shared
            .retriever()
            .retrieve(version.index(), collection, text, depth, version.retrieval(), !fresh);
    List<Candidate> ranked = fused.candidates();
    Map<String, Double> timings = new LinkedHashMap<>(fused.timings());
    if (rerank) {
      long t0 = System.nanoTime();
      ranked = reranker.rerank(text, ranked);
      timings.put("rerankMs", (System.nanoTime() - t0) / 1e6);
    }
    return new Retrieval(name, ranked.subList(0, Math.min(topK, ranked.size())), timings);
  }

  /**
   * Lets this version's reranker prepare what it caches per passage (see {@link Reranker#prepare}).
   */
  public void prepare(List<Candidate> passages) {
    if (version.retrieval().rerank()) {
      reranker.prepare(passages);
    }
  }

  /** Retrieves {@code topK} chunks for {@code text} and answers from them, without a session. */
  public Answered answer(String collection, String text, int topK) {
    Retrieval retrieval = retrieve(collection, text, topK, true);
    return new Answered(retrieval, shared.answerer().answer(text, retrieval.candidates()));
  }

  /**
   * Answers one turn.
   *
   * @throws UnknownResourceException when the question names a session or collection that does not
   *     exist
   */
  public QueryResult ask(Question q) {
    return ask(q, Serving.DIRECT);
  }

  /**
   * Answers one turn as {@code serving} says: an interleaved turn retrieves with both versions and
   * answers from their team-draft merge; the query log records the rollout and arm.
   *
   * @throws UnknownResourceException when the question names a session or collection that does not
   *     exist
   * @throws ContradictoryQuestionException when it names a session and another collection
   */
  public QueryResult ask(Question q, Serving serving) {
    long start = System.nanoTime();
    List<WorkingMemory.Turn> history = List.of();
    String collection = q.collection();
    if (q.sessionId() != null) {
      String sessionCollection =
          shared.memory().collectionOf(q.tenant(), q.sessionId()).orElseThrow(() -> noSession(q));
      requireSameCollection(q, sessionCollection);
      collection = sessionCollection;
      history = shared.memory().recentTurns(q.sessionId(), shared.conversation().workingTurns());
    }
    collection =
        collection == null ? q.tenant().collection(CollectionRegistry.DEFAULT) : collection;
    Optional<CollectionRegistry.InUse> inUse =
        q.tenant().owns(collection) ? shared.collections().inUse(collection) : Optional.empty();
    if (inUse.isEmpty()) {
      throw q.tenant().owns(collection)
              && shared.collections().state(collection) == CollectionRegistry.State.DELETING
          ? new UnknownResourceException(
              "collection", "collection '" + Tenant.nameOf(collection) + "' is being deleted")
          : noCollection(collection);
    }
    long intentStart = System.nanoTime();
    IntentClassifier.Classified classified = shared.classifier().classify(q.text(), history);
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("intentMs", (System.nanoTime() - intentStart) / 1e6);
    shared.metrics().classified(classified);
    Intent intent = classified.intent();

    Turn turn =
        intent == Intent.CHIT_CHAT || intent == Intent.MEMORY_STATEMENT
            ? Turn.nothingToLookUp(intent, collection, q.sessionId() != null)
            : lookUp(q, serving, collection, inUse.get(), classified.query(), history, timings);

    String warning = turn.warning;
    if (classified.fallback() != null) {
      String note = "intent: " + classified.fallback() + "; classified by the local rules";
      warning = warning == null ? note : note + "; " + warning;
    }
    if (q.sessionId() != null) {
      boolean kept =
          shared
              .memory()
              .appendExchange(
                  q.sessionId(),
                  q.text(),
                  intent.wireName(),
                  classified.query(),
                  turn.answer,
                  turn.sources.stream().map(Source::source).toList());
      if (!kept) {
        throw sessionGone(q);
      }
      // Credited only now: a fact of a session deleted meanwhile (its user forgotten) is not.
      if (!turn.citedFacts.isEmpty()) {
        shared.recall().cited(turn.citedFacts);
      }
      shared.exchanges().exchangeAppended(q.sessionId(), intent);
    }
    double latencyMs = (System.nanoTime() - start) / 1e6;
    timings.put("totalMs", latencyMs);
    shared.metrics().answered(name, turn.answerMode, latencyMs);
    UUID queryId = record(q, serving, collection, classified.query(), turn, latencyMs);
    return new QueryResult(
        queryId.toString(),
        turn.answer,
        turn.answerMode,
        turn.citations,
        warning,
        turn.sources,
        intent.wireName(),
        classified.query().equals(q.text().strip()) ? null : classified.query(),
        classified.source().wireName(),
        turn.modelVersion == null ? name : turn.modelVersion,
        timings,
        turn.cached,
        serving.arm());
  }

  /** The 404 of a session that does not exist, is closed, or is another tenant's. */
  static UnknownResourceException noSession(Question q) {
    return new UnknownResourceException(
        "session", "no open session " + q.sessionId() + "; create one with POST /v1/sessions");
  }

  /**
   * The 404 of a session deleted while its question was answered (its user forgotten, or its
   * collection deleted): the exchange is not kept, and the answer is not given, since the session
   * it belonged to is gone.
   */
  static UnknownResourceException sessionGone(Question q) {
    return new UnknownResourceException(
        "session",
        "session "
            + q.sessionId()
            + " was deleted while this question was answered (its user forgotten, or its"
            + " collection deleted); nothing of the exchange was kept: create a new session with"
            + " POST /v1/sessions");
  }

  /**
   * Refuses a question that names a collection other than its session's: the session's turns, facts
   * and follow-ups belong to the collection it was opened on.
   *
   * @throws ContradictoryQuestionException when they differ
   */
  static void requireSameCollection(Question q, String sessionCollection) {
    if (q.collection() != null && !q.collection().equals(sessionCollection)) {
      throw new ContradictoryQuestionException(
          "/collection",
          "session "
              + q.sessionId()
              + " was opened on collection '"
              + Tenant.nameOf(sessionCollection)
              + "', not '"
              + Tenant.nameOf(q.collection())
              + "'; leave collection out, or open a session on '"
              + Tenant.nameOf(q.collection())
              + "'");
    }
  }

  /** The 404 of a collection that does not exist, or is another tenant's (named as asked). */
  static UnknownResourceException noCollection(String collection) {
    return new UnknownResourceException(
        "collection", "no collection '" + Tenant.nameOf(collection) + "'; ingest into it first");
  }

  /**
   * What a turn came to before it is recorded.
   *
   * @param scores the drift scores of what retrieval returned; null when nothing was looked up
   * @param teams for an interleaved turn, the arm that ranked each document source; else null
   * @param modelVersion who ranked the sources when not this version alone; else null
   * @param citedFacts the remembered facts the answer cites, credited once the turn is kept
   */
  private record Turn(
      String answer,
      String answerMode,
      List<Integer> citations,
      String warning,
      List<Source> sources,
      boolean cached,
      QueryFeatures.Scores scores,
      List<String> teams,
      String modelVersion,
      List<MemoryHit> citedFacts) {

    /**
     * Small talk is answered; statements are kept in working memory for distillation, within a
     * session: without one there is nowhere to keep them, and the answer says so.
     */
    static Turn nothingToLookUp(Intent intent, String collection, boolean inSession) {
      String answer =
          intent == Intent.CHIT_CHAT
              ? "Hello! Ask me a question about the documents in '"
                  + Tenant.nameOf(collection)
                  + "'."
              : inSession
                  ? "Noted; I will keep that in mind for this conversation."
                  : "I can only remember that within a conversation: ask in a session (a"
                      + " sessionId from POST /v1/sessions, or ./engram chat).";
      return new Turn(
          answer, "extractive", List.of(), null, List.of(), false, null, null, null, List.of());
    }
  }

  /**
   * Retrieves for {@code query} (beside recalling the session's facts), answers and caches the
   * answer. Facts are added after the cache, which is shared between sessions and must never hold
   * one user's memories; a session's answer is never cached at all (its key would change with every
   * turn anyway).
   */
  private Turn lookUp(
      Question q,
      Serving serving,
      String collection,
      CollectionRegistry.InUse inUse,
      String query,
      List<WorkingMemory.Turn> history,
      Map<String, Double> timings) {
    CompletableFuture<List<MemoryHit>> recalled =
        q.sessionId() == null ? null : shared.recall().recall(q.sessionId(), query);
    // An interleaved answer depends on the coin tosses of its own query: it is never cached.
    boolean cacheable =
        q.sessionId() == null && serving.interleaveWith() == null && shared.responses().enabled();
    // The generation was read before retrieval: an answer computed across a change of the
    // collection is put under its generation from before the change.
    String cacheKey = cacheable ? cacheKey(collection, inUse, query, q.topK(), history) : null;
    Optional<CachedAnswer> hit =
        q.fresh() || !cacheable ? Optional.empty() : shared.responses().get(cacheKey);
    if (hit.isPresent()) {
      CachedAnswer c = hit.get();
      return new Turn(
          c.answer(),
          c.answerMode(),
          c.citations(),
          c.warning(),
          c.sources(),
          true,
          c.scores(),
          null,
          null,
          List.of());
    }
    List<String> teams = null;
    Retrieval retrieval;
    if (serving.interleaveWith() == null) {
      retrieval = retrieve(collection, query, q.topK(), q.fresh());
    } else {
      Retrieval a = retrieve(collection, query, q.topK(), q.fresh());
      Retrieval b = serving.interleaveWith().retrieve(collection, query, q.topK(), q.fresh());
      TeamDraft.Interleaved<Candidate> merged =
          TeamDraft.interleave(
              a.candidates(), b.candidates(), q.topK(), c -> c.chunk().source(), serving.seed());
      Map<String, Double> both = new LinkedHashMap<>(a.timings());
      b.timings().forEach((step, ms) -> both.merge(step, ms, Double::sum));
      retrieval = new Retrieval(interleavedName(a, b), merged.items(), both);
      teams = merged.teams();
    }
    QueryFeatures.Scores scores = QueryFeatures.scores(retrieval.candidates(), fusionDenseWeight());
    timings.putAll(retrieval.timings());
    List<Source> sources = new ArrayList<>(retrieval.candidates().size());
    retrieval.candidates().forEach(c -> sources.add(Sources.of(c)));
    List<MemoryHit> facts = recalled == null ? List.of() : shared.recall().await(recalled);
    Answerer.Answer generated = shared.answerer().answer(query, retrieval.candidates(), facts);
    if (generated.mode().equals("llm")) {
      timings.put("generateMs", generated.millis());
    }
    // A degraded answer (the LLM failed) is not kept: the next ask should try the LLM again.
    if (cacheable && (generated.warning() == null || generated.mode().equals("llm"))) {
      shared
          .responses()
          .put(
              cacheKey,
              new CachedAnswer(
                  generated.text(),
                  generated.mode(),
                  generated.citations(),
                  generated.warning(),
                  List.copyOf(sources),
                  Map.copyOf(timings),
                  scores));
    }
    // Only facts the answer cites earn a citation (and salience).
    List<MemoryHit> cited = new ArrayList<>();
    if (!facts.isEmpty()) {
      int documents = sources.size();
      facts.forEach(f -> sources.add(Sources.of(f)));
      for (int n : generated.citations()) {
        if (n > documents && n - documents <= facts.size()) {
          cited.add(facts.get(n - documents - 1));
        }
      }
    }
    return new Turn(
        generated.text(),
        generated.mode(),
        generated.citations(),
        generated.warning(),
        List.copyOf(sources),
        false,
        scores,
        teams,
        teams == null ? null : retrieval.modelVersion(),
        List.copyOf(cited));
  }

  /** The name an interleaved answer reports: both versions, this one (the champion) first. */
  static String interleavedName(Retrieval a, Retrieval b) {
    return "interleaved(" + a.modelVersion() + "," + b.modelVersion() + ")";
  }

  /** The dense leg's weight in this version's fusion: all of it when it retrieves densely only. */
  private double fusionDenseWeight() {
    RetrievalSettings r = version.retrieval();
    return r.mode() == RetrievalSettings.Mode.HYBRID ? r.denseWeight() : 1.0;
  }

  /**
   * Everything a response depends on: this model version (index, retrieval settings, reranker), the
   * answer generator, the collection (its generation and creation time), the normalized (rewritten)
   * query and the working memory it was asked in. The intent classifier is not part of it: all it
   * changes about an answer is the query retrieved and answered with, which is.
   */
  private String cacheKey(
      String collection,
      CollectionRegistry.InUse inUse,
      String query,
      int topK,
      List<WorkingMemory.Turn> history) {
    int memoryState = history.isEmpty() ? 0 : history.hashCode();
    return String.join(
        "\n",
        name,
        version.retrieval().toString(),
        Integer.toString(topK),
        shared.answerer().generatorName(),
        collection,
        // The creation time tells a collection from an earlier one of the same name, deleted.
        inUse.generation() + "@" + inUse.createdAt(),
        ResponseCache.normalize(query),
        Integer.toString(memoryState));
  }

  /**
   * Logs the query off the request path: a slow or failing insert must not fail the answer. Its
   * drift features are computed there too, from the query retrieval ran with ({@code retrieved}, a
   * follow-up's rewrite) and the scores the turn kept; a failure to compute them logs the query
   * without them.
   */
  private UUID record(
      Question q,
      Serving serving,
      String collection,
      String retrieved,
      Turn turn,
      double latencyMs) {
    // The query log records document retrieval; facts' citations have a buffer of their own.
    List<Source> documents = turn.sources.stream().filter(Sources::isDocument).toList();
    QueryLog.Entry entry =
        new QueryLog.Entry(
            UUID.randomUUID(),
            collection,
            q.sessionId() == null ? null : q.sessionId().toString(),
            q.text(),
            name,
            turn.answerMode,
            latencyMs,
            documents.stream().map(Source::chunkId).toList(),
            documents.stream().map(Source::source).toList(),
            null,
            new QueryLog.Routing(serving.rolloutId(), serving.arm(), turn.teams));
    int indexVersionId = version.index().id();
    // Feedback on this answer may arrive before the row is written: it waits for the write.
    shared.queryLog().expect(entry.id());
    shared
        .background()
        .execute(
            () -> {
              QueryLog.Entry featured = entry;
              if (turn.scores != null) {
                try {
                  featured =
                      entry.withFeatures(
                          shared
                              .features()
                              .extract(indexVersionId, collection, retrieved, turn.scores));
                } catch (RuntimeException e) {
                  log.warn("no drift features for query {}: {}", entry.id(), e.getMessage());
                }
              }
              try {
                shared.queryLog().record(featured);
              } catch (Exception e) {
                log.warn("could not record query {} in query_log: {}", entry.id(), e.getMessage());
              }
            });
    return entry.id();
  }
}
