package io.engram.api.evaluation;

import io.engram.api.auth.Caller;
import io.engram.api.problems.ProblemResponses;
import io.engram.contract.Evaluations.EvaluationRequest;
import io.engram.contract.Evaluations.EvaluationStarted;
import io.engram.contract.Evaluations.EvaluationStatus;
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

/** Starts evaluation workflows and reports their progress and results. */
@Controller("/v1/evaluations")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class EvaluationController {
  private final EvaluationStarter starter;

  EvaluationController(EvaluationStarter starter) {
    this.starter = starter;
  }

  @Post
  @Status(HttpStatus.ACCEPTED)
  HttpResponse<EvaluationStarted> start(Caller caller, @Valid @Body EvaluationRequest request)
      throws Exception {
    return HttpResponse.accepted().body(starter.start(caller, request));
  }

  @Get("/{workflowId}")
  EvaluationStatus status(Caller caller, String workflowId) throws Exception {
    return starter.status(caller, workflowId);
  }
}
