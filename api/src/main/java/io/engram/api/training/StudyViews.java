package io.engram.api.training;

import io.engram.api.auth.Caller;
import io.engram.api.problems.Problems;
import io.engram.contract.Retrainings.Report;
import io.engram.contract.Retrainings.StudyView;
import io.engram.contract.Retrainings.TrialView;
import io.engram.core.CoreServices;
import io.engram.core.training.RetrainingService;
import io.engram.core.tuning.Studies;
import io.engram.core.tuning.Study;
import io.engram.core.tuning.StudyRecords;
import io.engram.core.tuning.Trial;
import jakarta.inject.Singleton;

/** Hyperparameter studies as the API shows them: the study's row and every trial, for charts. */
@Singleton
class StudyViews {
  private final Studies studies;

  StudyViews(CoreServices core) {
    this.studies = core.retraining().studies();
  }

  /**
   * The study numbered {@code id}, if it is of one of the caller's tenant's collections.
   *
   * @throws io.engram.api.problems.ApiProblem 404 when there is none
   */
  StudyView view(Caller caller, long id) {
    // Another tenant's study is as unknown as one that never was.
    Study study =
        studies
            .byId(id)
            .filter(st -> caller.tenant().owns(st.record().definition().collection()))
            .orElseThrow(
                () ->
                    Problems.notFound(
                        "study",
                        "no study "
                            + id
                            + "; a retraining's status names its study in studyId"
                            + " (GET /v1/retrainings/{workflowId})"));
    StudyRecords.Row row = study.record();
    return new StudyView(
        row.id(),
        caller.shown(row.definition().collection()),
        row.definition().sampler(),
        row.state(),
        row.stopReason(),
        // Retrainings are what create studies, and they all search for this objective.
        RetrainingService.OBJECTIVE,
        row.definition().direction().stored(),
        row.bestTrial(),
        study.trials().stream().map(StudyViews::trial).toList());
  }

  private static TrialView trial(Trial t) {
    return new TrialView(
        t.number(),
        t.state().stored(),
        t.value(),
        t.costSeconds(),
        t.params().values(),
        t.intermediate().entrySet().stream()
            .map(e -> new Report(e.getKey(), e.getValue()))
            .toList());
  }
}
