package io.engram.activities.training;

import io.engram.core.drift.DriftDetector;
import io.engram.core.drift.DriftReport;
import io.engram.workflows.training.DriftActivities;
import io.engram.workflows.training.DriftCheck;
import java.util.List;

/** The drift check's steps: a thin adapter over core's {@link DriftDetector}. */
public final class DriftActivitiesImpl implements DriftActivities {
  private final DriftDetector detector;

  public DriftActivitiesImpl(DriftDetector detector) {
    this.detector = detector;
  }

  @Override
  public List<String> collections() {
    return detector.collections();
  }

  @Override
  public DriftCheck check(String collection, String checkKey) {
    DriftReport r = detector.check(collection, DriftReport.SCHEDULE, checkKey);
    return new DriftCheck(r.collection(), r.id(), r.modelVersion(), r.drift(), r.status());
  }
}
