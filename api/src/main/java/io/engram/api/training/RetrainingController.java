package io.engram.api.training;

import io.engram.api.auth.Caller;
import io.engram.api.problems.ProblemResponses;
import io.engram.contract.Retrainings.RetrainingRequest;
import io.engram.contract.Retrainings.RetrainingStarted;
import io.engram.contract.Retrainings.RetrainingStatus;
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

/**
 * Starts retraining workflows (or attaches to the one running for the collection) and reports their
 * progress and results.
 */
@Controller("/v1/retrainings")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class RetrainingController {
  private final RetrainingStarter starter;

  RetrainingController(RetrainingStarter starter) {
    this.starter = starter;
  }

  @Post
  @Status(HttpStatus.ACCEPTED)
  HttpResponse<RetrainingStarted> start(Caller caller, @Valid @Body RetrainingRequest request) {
    return HttpResponse.accepted().body(starter.start(caller, request));
  }

  /** The caller's tenant's retraining; another tenant's workflow id is 404 like an unknown one. */
  @Get("/{workflowId}")
  RetrainingStatus status(Caller caller, String workflowId) {
    return starter.status(caller, workflowId);
  }
}
