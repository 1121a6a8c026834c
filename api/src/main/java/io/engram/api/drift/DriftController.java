package io.engram.api.drift;

import io.engram.api.auth.Caller;
import io.engram.api.collections.CollectionLookup;
import io.engram.api.problems.ProblemResponses;
import io.engram.contract.Drift;
import io.engram.contract.Drift.DriftCheckRequest;
import io.engram.contract.Drift.FeatureDrift;
import io.engram.contract.Drift.Retraining;
import io.engram.core.drift.DriftDetector;
import io.engram.core.drift.DriftReport;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/drift/checks}: a drift check of one collection now, through core's detector,
 * stored like the scheduled ones; with {@code retrain: true} a drift verdict also starts the
 * collection's retraining. {@code GET /v1/drift/reports}: the stored reports, newest first.
 */
@Controller("/v1/drift")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class DriftController {
  private final DriftDetector detector;
  private final CollectionLookup collections;
  private final RetrainingTrigger retrainings;

  DriftController(
      DriftDetector detector, CollectionLookup collections, RetrainingTrigger retrainings) {
    this.detector = detector;
    this.collections = collections;
    this.retrainings = retrainings;
  }

  @Post("/checks")
  Drift.DriftReport check(Caller caller, @Valid @Body DriftCheckRequest request) {
    String collection = collections.existing(caller, "/collection", request.collection());
    DriftReport report = detector.check(collection, DriftReport.API, null);
    Retraining retraining =
        Boolean.TRUE.equals(request.retrain()) && Boolean.TRUE.equals(report.drift())
            ? retrainings.start(collection)
            : null;
    return map(caller, report, retraining);
  }

  /** The caller's tenant's reports only, of one collection or of all of its collections. */
  @Get("/reports")
  Drift.DriftReports reports(
      Caller caller,
      @Nullable @QueryValue String collection,
      @Nullable @QueryValue @Min(1) @Max(Drift.MAX_REPORTS) Integer limit) {
    String key = collection == null ? null : collections.existing(caller, "collection", collection);
    return new Drift.DriftReports(
        detector.reports(caller.tenant(), key, limit == null ? 20 : limit).stream()
            .map(r -> map(caller, r, null))
            .toList());
  }

  static Drift.DriftReport map(Caller caller, DriftReport r, Retraining retraining) {
    Map<String, FeatureDrift> features = new LinkedHashMap<>();
    r.features().forEach((feature, figures) -> features.put(feature.wireName(), figures));
    return new Drift.DriftReport(
        r.id(),
        caller.shown(r.collection()),
        caller.shown(r.modelVersion()),
        r.referenceSource(),
        r.referenceSize(),
        r.recentSize(),
        r.drift(),
        r.status(),
        features,
        r.trigger(),
        r.createdAt().toString(),
        retraining);
  }
}
