package io.engram.api.training;

import io.engram.contract.Retrainings.StudyView;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** The hyperparameter studies retrainings ran, with their trials. */
@Controller("/v1/studies")
@ExecuteOn(TaskExecutors.BLOCKING)
class StudyController {
  private final StudyViews studies;

  StudyController(StudyViews studies) {
    this.studies = studies;
  }

  @Get("/{id}")
  StudyView study(long id) {
    return studies.view(id);
  }
}
