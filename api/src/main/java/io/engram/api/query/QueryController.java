package io.engram.api.query;

import io.engram.api.problems.Problems;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.querylog.QueryLog;
import io.engram.core.retrieval.HybridRetriever;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
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
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/query}: dense retrieval over the champion index version with an extractive
 * answer. Runs synchronously in the API process, never through a workflow (latency).
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

  @Serdeable
  record Source(
      long documentId,
      long chunkId,
      String source,
      @Nullable String title,
      String snippet,
      double score) {}

  @Serdeable
  record QueryResponse(
      String queryId,
      String answer,
      String answerMode,
      List<Source> sources,
      String intent,
      String modelVersion,
      Map<String, Double> timings) {}

  private final HybridRetriever retriever;
  private final CollectionRegistry collections;
  private final RetrievalProperties retrieval;
  private final QueryLog queryLog;
  private final ExecutorService logWriter;

  QueryController(
      HybridRetriever retriever,
      CollectionRegistry collections,
      RetrievalProperties retrieval,
      QueryLog queryLog,
      @Named(TaskExecutors.BLOCKING) ExecutorService logWriter) {
    this.retriever = retriever;
    this.collections = collections;
    this.retrieval = retrieval;
    this.queryLog = queryLog;
    this.logWriter = logWriter;
  }

  @Post
  QueryResponse query(@Valid @Body QueryRequest request) throws SQLException {
    long start = System.nanoTime();
    String collection =
        request.collection() == null ? CollectionRegistry.DEFAULT : request.collection();
    if (!collections.exists(collection)) {
      throw Problems.notFound(
          "collection", "no collection '" + collection + "'; ingest into it first");
    }
    int topK = request.topK() == null ? DEFAULT_TOP_K : request.topK();
    HybridRetriever.Result result =
        retriever.retrieve(
            collection,
            request.query().strip(),
            topK,
            retrieval.candidates(),
            retrieval.mode(),
            retrieval.denseWeight());
    List<Source> sources = new ArrayList<>(result.hits().size());
    for (HybridRetriever.Hit hit : result.hits()) {
      var chunk = hit.chunk();
      sources.add(
          new Source(
              chunk.documentId(),
              chunk.chunkId(),
              chunk.source(),
              chunk.title(),
              snippet(chunk.text()),
              hit.score()));
    }
    Map<String, Double> timings = new LinkedHashMap<>(result.timings());
    double latencyMs = (System.nanoTime() - start) / 1e6;
    timings.put("totalMs", latencyMs);
    String answerMode = "extractive";
    QueryLog.Entry entry =
        new QueryLog.Entry(
            UUID.randomUUID(),
            collection,
            request.sessionId(),
            request.query().strip(),
            result.version().name(),
            answerMode,
            latencyMs,
            sources.stream().map(Source::chunkId).toList(),
            sources.stream().map(Source::source).toList());
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
        extractiveAnswer(sources),
        answerMode,
        sources,
        "question",
        result.version().name(),
        timings);
  }

  /** Without an LLM the answer is the best passage, cited; the response says it is extractive. */
  private static String extractiveAnswer(List<Source> sources) {
    if (sources.isEmpty()) {
      return "No passage in this collection matches the question.";
    }
    return sources.get(0).snippet() + " [1]";
  }

  private static String snippet(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= SNIPPET_CHARS ? flat : flat.substring(0, SNIPPET_CHARS) + "…";
  }
}
