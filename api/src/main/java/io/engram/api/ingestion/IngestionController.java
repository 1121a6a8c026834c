package io.engram.api.ingestion;

import io.engram.api.auth.Caller;
import io.engram.api.problems.ElementValidator;
import io.engram.api.problems.ProblemResponses;
import io.engram.contract.Ingestions.IngestionRequest;
import io.engram.contract.Ingestions.IngestionStarted;
import io.engram.contract.Ingestions.IngestionStatus;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;

/** Starts ingestion workflows and reports their progress. */
@Controller("/v1/ingestions")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class IngestionController {
  private final IngestionStarter starter;
  private final ElementValidator elements;

  IngestionController(IngestionStarter starter, ElementValidator elements) {
    this.starter = starter;
    this.elements = elements;
  }

  /**
   * Starts an ingestion, or attaches to the one already running for the same source and collection
   * ({@code attached} is then true).
   */
  @Post
  @Status(HttpStatus.ACCEPTED)
  HttpResponse<IngestionStarted> start(Caller caller, @Valid @Body IngestionRequest request)
      throws Exception {
    elements.validate("/files", request.files());
    return HttpResponse.accepted().body(starter.start(caller, request));
  }

  @Get("/{workflowId}")
  IngestionStatus status(Caller caller, String workflowId) {
    return starter.status(caller, workflowId);
  }
}
