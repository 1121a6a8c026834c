package io.engram.api.training;

import io.engram.contract.Retrainings.RetrainingRequest;
import io.engram.contract.Retrainings.RetrainingStarted;
import io.engram.contract.Retrainings.RetrainingStatus;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;

/**
 * Starts retraining workflows (or attaches to the one running for the collection) and reports their
 * progress and results.
 */
@Controller("/v1/retrainings")
@ExecuteOn(TaskExecutors.BLOCKING)
class RetrainingController {
  private final RetrainingStarter starter;

  RetrainingController(RetrainingStarter starter) {
    this.starter = starter;
  }

  @Post
  HttpResponse<RetrainingStarted> start(@Valid @Body RetrainingRequest request) {
    return HttpResponse.accepted().body(starter.start(request));
  }

  @Get("/{workflowId}")
  RetrainingStatus status(String workflowId) {
    return starter.status(workflowId);
  }
}
