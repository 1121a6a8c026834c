package io.engram.api.query;

import io.engram.api.problems.Problems;
import io.engram.core.querylog.Feedback;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.UUID;

/** {@code POST /v1/feedback}: a rating of a logged query's answer (the queryId it returned). */
@Controller("/v1/feedback")
@ExecuteOn(TaskExecutors.BLOCKING)
class FeedbackController {

  @Serdeable
  record FeedbackRequest(
      @NotBlank String queryId,
      @NotNull @Min(-1) @Max(1) Integer rating,
      @Nullable @Size(max = 4096) String source,
      @Nullable @Size(max = 4000) String comment) {}

  @Serdeable
  record FeedbackStored(long feedbackId, String queryId) {}

  private final Feedback feedback;

  FeedbackController(Feedback feedback) {
    this.feedback = feedback;
  }

  @Post
  HttpResponse<FeedbackStored> feedback(@Valid @Body FeedbackRequest request) {
    UUID id;
    try {
      id = UUID.fromString(request.queryId());
    } catch (IllegalArgumentException e) {
      throw Problems.badRequest(
          "queryId '" + request.queryId() + "' is not a UUID returned by /v1/query");
    }
    long feedbackId =
        feedback
            .record(id, request.rating(), request.source(), request.comment())
            .orElseThrow(
                () ->
                    Problems.notFound(
                        "query", "no logged query " + id + "; use the queryId /v1/query returned"));
    return HttpResponse.created(new FeedbackStored(feedbackId, id.toString()));
  }
}
