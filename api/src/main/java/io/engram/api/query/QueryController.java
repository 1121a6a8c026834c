package io.engram.api.query;

import io.engram.api.auth.Caller;
import io.engram.api.problems.ProblemResponses;
import io.engram.api.problems.Problems;
import io.engram.api.sessions.SessionController;
import io.engram.contract.Queries.QueryRequest;
import io.engram.contract.Queries.QueryResponse;
import io.engram.core.embedding.EmbeddableText;
import io.engram.core.query.QueryResult;
import io.engram.core.query.Question;
import io.engram.core.rollout.RolloutRouter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import java.sql.SQLException;

/**
 * {@code POST /v1/query}: validates the request, asks the {@link RolloutRouter} (the collection's
 * champion, or during a rollout the arm routing gives the conversation) and maps its result onto
 * the wire contract. The query path itself lives in core.
 */
@Controller("/v1/query")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class QueryController {
  private final RolloutRouter router;

  QueryController(RolloutRouter router) {
    this.router = router;
  }

  /** {@code Cache-Control: no-cache} computes the answer afresh (no cached answer or embedding). */
  @Post
  QueryResponse query(
      Caller caller,
      @Valid @Body QueryRequest request,
      @Nullable @Header(HttpHeaders.CACHE_CONTROL) String cacheControl)
      throws SQLException {
    if (!EmbeddableText.isReadable(request.query())) {
      throw Problems.invalidField(
          "/query",
          "must not be blank: it holds only white space or invisible characters (such as a"
              + " zero-width space or a byte-order mark)");
    }
    Question question =
        new Question(
            caller.tenant(),
            request.query(),
            request.sessionId() == null
                ? null
                : SessionController.parse("/sessionId", request.sessionId()),
            request.collection() == null
                ? null
                : caller.collection("/collection", request.collection()),
            request.topK() == null ? Question.DEFAULT_TOP_K : request.topK(),
            cacheControl != null && cacheControl.contains("no-cache"));
    QueryResult r = router.ask(question);
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
        caller.shown(r.modelVersion()),
        r.timings(),
        r.cached(),
        r.arm());
  }
}
