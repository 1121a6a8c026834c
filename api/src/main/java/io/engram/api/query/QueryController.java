package io.engram.api.query;

import io.engram.api.memory.DistillationTrigger;
import io.engram.api.memory.MemoryRecall;
import io.engram.api.problems.Problems;
import io.engram.api.sessions.MemoryProperties;
import io.engram.api.sessions.SessionController;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.memory.Intent;
import io.engram.core.memory.IntentClassifier;
import io.engram.core.memory.MemoryHit;
import io.engram.core.memory.WorkingMemory;
import io.engram.core.querylog.QueryLog;
import io.engram.core.retrieval.Candidate;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.ResponseCache;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Named;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/query}: working memory → intent (and rewriting of follow-ups) → hybrid retrieval
 * over the champion index version → extractive answer → working memory updated. Runs synchronously
 * in the API process, never through a workflow (latency).
 */
@Controller("/v1/query")
@ExecuteOn(TaskExecutors.BLOCKING)
class QueryController {
  private static final Logger log = LoggerFactory.getLogger(QueryController.class);
  static final int DEFAULT_TOP_K = 5;
  private static final int SNIPPET_CHARS = 300;

  @Serdeable
  record QueryRequest(
      @NotBlank @Size(max = 4096) String query,
      @Nullable @Size(max = 128) String sessionId,
      @Nullable @Size(max = 63) String collection,
      @Nullable @Min(1) @Max(100) Integer topK) {}

  /**
   * A source of the answer: a document chunk ({@code tier} {@code document}) or a remembered fact
   * ({@code tier} {@code episodic} or {@code semantic}, {@code source} {@code memory:<tier>/<id>},
   * document and chunk ids 0).
   */
  @Serdeable
  record Source(
      long documentId,
      long chunkId,
      String source,
      @Nullable String title,
      String snippet,
      double score,
      @Nullable String tier) {

    static Source of(MemoryHit fact) {
      return new Source(
          0,
          0,
          fact.source(),
          "memory: " + fact.subject(),
          fact.text(),
          fact.score(),
          fact.tier().wireName());
    }

    boolean document() {
      return tier == null || tier.equals("document");
    }
  }

  @Serdeable
  record QueryResponse(
      String queryId,
      String answer,
      String answerMode,
      List<Integer> citations,
      @Nullable String warning,
      List<Source> sources,
      String intent,
      @Nullable String rewrittenQuery,
      String intentSource,
      @Nullable String sessionId,
      String modelVersion,
      Map<String, Double> timings,
      boolean cached) {}

  /** What the response cache keeps: everything of a response but what is per request. */
  record CachedAnswer(
      String answer,
      String answerMode,
      List<Integer> citations,
      List<Source> sources,
      String modelVersion,
      Map<String, Double> timings) {}

  private final HybridRetriever retriever;
  private final CollectionRegistry collections;
  private final IndexVersions indexVersions;
  private final RetrievalProperties retrieval;
  private final MemoryProperties memoryProperties;
  private final WorkingMemory memory;
  private final IntentClassifier classifier;
  private final IntentMetrics intentMetrics;
  private final QueryLog queryLog;
  private final Answerer answerer;
  private final ResponseCache<CachedAnswer> responseCache;
  private final ExecutorService logWriter;
  private final MemoryRecall memoryRecall;
  private final DistillationTrigger distillation;

  QueryController(
      HybridRetriever retriever,
      CollectionRegistry collections,
      IndexVersions indexVersions,
      RetrievalProperties retrieval,
      MemoryProperties memoryProperties,
      WorkingMemory memory,
      IntentClassifier classifier,
      IntentMetrics intentMetrics,
      QueryLog queryLog,
      Answerer answerer,
      ResponseCache<CachedAnswer> responseCache,
      @Named(TaskExecutors.BLOCKING) ExecutorService logWriter,
      MemoryRecall memoryRecall,
      DistillationTrigger distillation) {
    this.retriever = retriever;
    this.collections = collections;
    this.indexVersions = indexVersions;
    this.retrieval = retrieval;
    this.memoryProperties = memoryProperties;
    this.memory = memory;
    this.classifier = classifier;
    this.intentMetrics = intentMetrics;
    this.queryLog = queryLog;
    this.answerer = answerer;
    this.responseCache = responseCache;
    this.logWriter = logWriter;
    this.memoryRecall = memoryRecall;
    this.distillation = distillation;
  }

  @Post
  QueryResponse query(
      @Valid @Body QueryRequest request,
      @Nullable @Header(HttpHeaders.CACHE_CONTROL) String cacheControl)
      throws SQLException {
    long start = System.nanoTime();
    String question = request.query().strip();
    UUID sessionId =
        request.sessionId() == null ? null : SessionController.parse(request.sessionId());
    String collection = request.collection();
    List<WorkingMemory.Turn> history = List.of();
    if (sessionId != null) {
      String sessionCollection =
          memory
              .collectionOf(sessionId)
              .orElseThrow(
                  () ->
                      Problems.notFound(
                          "session",
                          "no open session " + sessionId + "; create one with POST /v1/sessions"));
      collection = collection == null ? sessionCollection : collection;
      history = memory.recentTurns(sessionId, memoryProperties.workingTurns());
    }
    collection = collection == null ? CollectionRegistry.DEFAULT : collection;
    if (!collections.exists(collection)) {
      throw Problems.notFound(
          "collection", "no collection '" + collection + "'; ingest into it first");
    }
    long intentStart = System.nanoTime();
    IntentClassifier.Classified classified = classifier.classify(question, history);
    double intentMs = (System.nanoTime() - intentStart) / 1e6;
    intentMetrics.record(classified);
    Intent intent = classified.intent();
    int topK = request.topK() == null ? DEFAULT_TOP_K : request.topK();

    String answer;
    String answerMode = "extractive";
    List<Integer> citations = List.of();
    String warning = null;
    boolean cached = false;
    List<MemoryHit> facts = List.of();
    String modelVersion;
    List<Source> sources = new ArrayList<>();
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("intentMs", intentMs);
    if (intent == Intent.CHIT_CHAT || intent == Intent.MEMORY_STATEMENT) {
      // Nothing to look up: small talk is answered, statements are kept in working memory for
      // distillation into episodic memory.
      answer =
          intent == Intent.CHIT_CHAT
              ? "Hello! Ask me a question about the documents in '" + collection + "'."
              : "Noted; I will keep that in mind for this conversation.";
      modelVersion = indexVersions.champion().map(IndexVersion::name).orElse("none");
    } else {
      // Recalled beside document retrieval; facts are added after the cache, which is shared
      // between sessions and must never hold one user's memories.
      CompletableFuture<List<MemoryHit>> recalled =
          sessionId == null ? null : memoryRecall.recall(sessionId, classified.query());
      IndexVersion champion = retriever.resolve(null);
      String cacheKey =
          cacheKey(
              champion, collection, classified.query(), topK, history, answerer.generatorName());
      boolean bypass = cacheControl != null && cacheControl.contains("no-cache");
      // A session's answer may draw on its user's memories, so it is never shared through the
      // cache (its key would also change with every turn of the session).
      boolean cacheable = sessionId == null;
      Optional<CachedAnswer> hit =
          bypass || !cacheable ? Optional.empty() : responseCache.get(cacheKey);
      if (hit.isPresent()) {
        CachedAnswer c = hit.get();
        answer = c.answer();
        answerMode = c.answerMode();
        citations = c.citations();
        sources.addAll(c.sources());
        modelVersion = c.modelVersion();
        cached = true;
      } else {
        HybridRetriever.Result result =
            retriever.retrieve(
                champion, collection, classified.query(), retrieval.options(topK), !bypass);
        for (Candidate h : result.hits()) {
          var chunk = h.chunk();
          sources.add(
              new Source(
                  chunk.documentId(),
                  chunk.chunkId(),
                  chunk.source(),
                  chunk.title(),
                  snippet(chunk.text()),
                  h.score(),
                  "document"));
        }
        timings.putAll(result.timings());
        facts = recalled == null ? List.of() : memoryRecall.await(recalled);
        Answerer.Answer generated = answerer.answer(classified.query(), result.hits(), facts);
        answer = generated.text();
        answerMode = generated.mode();
        citations = generated.citations();
        warning = generated.warning();
        if (generated.mode().equals("llm")) {
          timings.put("generateMs", generated.millis());
        }
        modelVersion = result.modelVersion();
        // A degraded answer (the LLM failed) is not kept: the next ask should try the LLM again.
        if (cacheable && (warning == null || answerMode.equals("llm"))) {
          responseCache.put(
              cacheKey,
              new CachedAnswer(
                  answer,
                  answerMode,
                  citations,
                  List.copyOf(sources),
                  modelVersion,
                  Map.copyOf(timings)));
        }
      }
      if (!facts.isEmpty()) {
        int documents = sources.size();
        facts.forEach(f -> sources.add(Source.of(f)));
        // Only facts the answer cites earn a citation (and salience).
        List<MemoryHit> cited = new ArrayList<>();
        for (int n : citations) {
          if (n > documents && n - documents <= facts.size()) {
            cited.add(facts.get(n - documents - 1));
          }
        }
        memoryRecall.cited(cited);
      }
    }
    String rewritten = intent == Intent.FOLLOW_UP ? classified.query() : null;
    if (classified.fallback() != null) {
      String note = "intent: " + classified.fallback() + "; classified by the local rules";
      warning = warning == null ? note : note + "; " + warning;
    }
    if (sessionId != null) {
      memory.appendExchange(
          sessionId,
          question,
          intent.wireName(),
          classified.query(),
          answer,
          sources.stream().map(Source::source).toList());
      distillation.exchangeAppended(sessionId);
    }
    double latencyMs = (System.nanoTime() - start) / 1e6;
    timings.put("totalMs", latencyMs);
    QueryLog.Entry entry =
        new QueryLog.Entry(
            UUID.randomUUID(),
            collection,
            request.sessionId(),
            question,
            modelVersion,
            answerMode,
            latencyMs,
            // The query log records document retrieval; facts' citations have a buffer of their
            // own.
            sources.stream().filter(Source::document).map(Source::chunkId).toList(),
            sources.stream().filter(Source::document).map(Source::source).toList());
    // Logged off the request path: a slow or failing insert must not slow or fail the answer.
    logWriter.execute(
        () -> {
          try {
            queryLog.record(entry);
          } catch (Exception e) {
            log.warn("could not record query {} in query_log: {}", entry.id(), e.getMessage());
          }
        });
    return new QueryResponse(
        entry.id().toString(),
        answer,
        answerMode,
        citations,
        warning,
        sources,
        intent.wireName(),
        rewritten,
        classified.source().wireName(),
        request.sessionId(),
        modelVersion,
        timings,
        cached);
  }

  /**
   * Everything a response depends on: the champion index version, retrieval settings, the answer
   * generator, the collection, the normalized (rewritten) query, and the working memory it was
   * asked in. The intent classifier is not part of it: all it changes about an answer is the query
   * retrieved and answered with, which is. (Only sessionless queries are cached, and those the LLM
   * classifier leaves to the local rules anyway: there is no history to rewrite against.)
   */
  private String cacheKey(
      IndexVersion champion,
      String collection,
      String query,
      int topK,
      List<WorkingMemory.Turn> history,
      String generator) {
    int memoryState = history.isEmpty() ? 0 : history.hashCode();
    return String.join(
        "\n",
        champion.name(),
        retrieval.options(topK).toString(),
        generator,
        collection,
        ResponseCache.normalize(query),
        Integer.toString(memoryState));
  }

  static String snippet(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= SNIPPET_CHARS ? flat : flat.substring(0, SNIPPET_CHARS) + "…";
  }
}
