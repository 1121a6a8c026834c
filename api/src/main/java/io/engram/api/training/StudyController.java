package io.engram.api.training;

import io.engram.api.auth.Caller;
import io.engram.api.problems.ProblemResponses;
import io.engram.contract.Retrainings.StudyView;
import io.engram.contract.StudyChart;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** The hyperparameter studies retrainings ran, with their trials. */
@Controller("/v1/studies")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class StudyController {
  private final StudyViews studies;

  StudyController(StudyViews studies) {
    this.studies = studies;
  }

  @Get("/{id}")
  StudyView study(Caller caller, long id) {
    return studies.view(caller, id);
  }

  /**
   * The study as an SVG chart, the one that retrain writes (each trial's value, pruned trials as
   * crosses, the best so far as a line): what a version's lineage links to.
   */
  @Get(value = "/{id}/chart.svg", produces = "image/svg+xml")
  String chart(Caller caller, long id) {
    return StudyChart.svg(studies.view(caller, id));
  }
}
