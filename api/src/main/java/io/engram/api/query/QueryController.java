package io.engram.api.query;

import io.engram.api.sessions.SessionController;
import io.engram.core.query.QueryPipelines;
import io.engram.core.query.QueryResult;
import io.engram.core.query.Question;
import io.engram.core.query.Source;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.SerdeImport;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/query}: validates the request, asks the champion's {@link
 * io.engram.core.query.QueryPipeline} and maps its result. The query path itself lives in core.
 */
@Controller("/v1/query")
@ExecuteOn(TaskExecutors.BLOCKING)
@SerdeImport(Source.class)
class QueryController {

  @Serdeable
  record QueryRequest(
      @NotBlank @Size(max = 4096) String query,
      @Nullable @Size(max = 128) String sessionId,
      @Nullable @Size(max = 63) String collection,
      @Nullable @Min(1) @Max(100) Integer topK) {}

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

  private final QueryPipelines pipelines;

  QueryController(QueryPipelines pipelines) {
    this.pipelines = pipelines;
  }

  /** {@code Cache-Control: no-cache} computes the answer afresh (no cached answer or embedding). */
  @Post
  QueryResponse query(
      @Valid @Body QueryRequest request,
      @Nullable @Header(HttpHeaders.CACHE_CONTROL) String cacheControl)
      throws SQLException {
    Question question =
        new Question(
            request.query(),
            request.sessionId() == null ? null : SessionController.parse(request.sessionId()),
            request.collection(),
            request.topK() == null ? Question.DEFAULT_TOP_K : request.topK(),
            cacheControl != null && cacheControl.contains("no-cache"));
    QueryResult r = pipelines.champion().ask(question);
    return new QueryResponse(
        r.queryId(),
        r.answer(),
        r.answerMode(),
        r.citations(),
        r.warning(),
        r.sources(),
        r.intent(),
        r.rewrittenQuery(),
        r.intentSource(),
        request.sessionId(),
        r.modelVersion(),
        r.timings(),
        r.cached());
  }
}
