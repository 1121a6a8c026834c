package io.engram.api.ingestion;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;

/** Starts ingestion workflows and reports their progress. */
@Controller("/v1/ingestions")
@ExecuteOn(TaskExecutors.BLOCKING)
class IngestionController {
  private final IngestionStarter starter;

  IngestionController(IngestionStarter starter) {
    this.starter = starter;
  }

  @Post
  HttpResponse<IngestionDtos.Started> start(@Valid @Body IngestionDtos.Create request)
      throws Exception {
    return HttpResponse.accepted().body(starter.start(request));
  }

  @Get("/{workflowId}")
  IngestionDtos.Status status(String workflowId) {
    return starter.status(workflowId);
  }
}
