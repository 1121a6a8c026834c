package io.engram.api.query;

import io.engram.api.auth.Caller;
import io.engram.api.problems.ProblemResponses;
import io.engram.api.problems.Problems;
import io.engram.contract.Feedback.FeedbackRequest;
import io.engram.contract.Feedback.FeedbackStored;
import io.engram.core.CoreServices;
import io.engram.core.querylog.Feedback;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import java.util.UUID;

/** {@code POST /v1/feedback}: a rating of a logged query's answer (the queryId it returned). */
@Controller("/v1/feedback")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class FeedbackController {

  private final Feedback feedback;

  FeedbackController(CoreServices core) {
    this.feedback = new Feedback(core.jdbi(), core.queryLog());
  }

  @Post
  @Status(HttpStatus.CREATED)
  HttpResponse<FeedbackStored> feedback(Caller caller, @Valid @Body FeedbackRequest request) {
    UUID id;
    try {
      id = UUID.fromString(request.queryId());
    } catch (IllegalArgumentException e) {
      throw Problems.invalidField("/queryId", "expected the queryId (a UUID) /v1/query returned");
    }
    long feedbackId;
    try {
      feedbackId =
          feedback
              .record(caller.tenant(), id, request.rating(), request.source(), request.comment())
              .orElseThrow(
                  () ->
                      Problems.notFound(
                          "query",
                          "no logged query " + id + "; use the queryId /v1/query returned"));
    } catch (Feedback.UnknownSourceException e) {
      throw Problems.invalidField("/source", e.getMessage());
    }
    return HttpResponse.created(new FeedbackStored(feedbackId, id.toString()));
  }
}
