package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** {@code POST /v1/feedback}: a rating of a logged query's answer. */
public final class Feedback {
  private Feedback() {}

  /**
   * A rating.
   *
   * @param queryId the {@code queryId} {@code /v1/query} returned
   * @param rating -1 (bad), 0 (neutral) or 1 (good)
   * @param source the source the rating is about, when it is about one
   * @param comment free text
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FeedbackRequest(
      @NotBlank @Size(max = 64, message = SizeMessages.AT_MOST_CHARS) String queryId,
      @NotNull @Min(-1) @Max(1) Integer rating,
      @Size(max = 4096, message = SizeMessages.AT_MOST_CHARS) String source,
      @Size(max = 4000, message = SizeMessages.AT_MOST_CHARS) String comment) {}

  public record FeedbackStored(long feedbackId, String queryId) {}
}
