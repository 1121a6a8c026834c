package io.engram.activities.ingestion;

import io.engram.activities.FailureReasons;
import io.engram.core.index.IndexParams;
import io.engram.core.ingestion.IngestionService;
import io.engram.core.ingestion.IngestionValidation;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.ingestion.BatchResult;
import io.engram.workflows.ingestion.DiscoveryResult;
import io.engram.workflows.ingestion.DocumentError;
import io.engram.workflows.ingestion.FollowingIndex;
import io.engram.workflows.ingestion.IngestionActivities;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.ValidationReport;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Thin adapter from the activity interface to {@link IngestionService}: translates payloads,
 * heartbeats, and maps permanent errors to non-retryable failures. Transient errors (database, I/O)
 * propagate and are retried by Temporal with backoff.
 */
public class IngestionActivitiesImpl implements IngestionActivities {
  /** Reasons are cut to this length so one odd document cannot bloat workflow history. */
  static final int MAX_REASON = 500;

  private final IngestionService service;
  private final IngestionValidation validation;
  private final IngestionMetrics metrics;

  public IngestionActivitiesImpl(
      IngestionService service, IngestionValidation validation, IngestionMetrics metrics) {
    this.service = service;
    this.validation = validation;
    this.metrics = metrics;
  }

  @Override
  public DiscoveryResult discover(String runId, IngestionRequest request) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    UUID manifest;
    try {
      manifest = request.manifestId() == null ? null : UUID.fromString(request.manifestId());
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "malformed manifest id " + request.manifestId(), FailureTypes.INVALID_SOURCE);
    }
    long start = System.nanoTime();
    try {
      IngestionService.Discovery d =
          service.discover(
              new IngestionService.Request(
                  ctx.getInfo().getWorkflowId(),
                  runId,
                  request.collection(),
                  request.origin(),
                  request.path(),
                  manifest,
                  new IndexParams(
                      request.embeddingModel(), request.chunkSize(), request.chunkOverlap()),
                  request.rebuilds()),
              ctx::heartbeat);
      metrics.discovered(d.skipped(), Duration.ofNanos(System.nanoTime() - start));
      return new DiscoveryResult(
          d.indexVersionId(),
          d.total(),
          d.skipped(),
          d.pending(),
          d.tombstoned(),
          d.tombstonedSample(),
          d.duplicates(),
          d.duplicateSample());
    } catch (IngestionService.InvalidSourceException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.INVALID_SOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public BatchResult processBatch(String runId, int fromSeq, int toSeq) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    // A retry needs no heartbeat detail to resume: items finished by an earlier attempt are
    // skipped by their stored status.
    long start = System.nanoTime();
    try {
      IngestionService.BatchOutcome outcome =
          service.process(runId, fromSeq, toSeq, ctx::heartbeat);
      metrics.batch(
          outcome.done(),
          outcome.failed(),
          outcome.chunks(),
          Duration.ofNanos(System.nanoTime() - start));
      return new BatchResult(
          outcome.done(), outcome.failed(), outcome.chunks(), errors(outcome.errors()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public ValidationReport validate(String runId) {
    long start = System.nanoTime();
    IngestionValidation.Report report;
    try {
      report = validation.validate(runId, Activity.getExecutionContext()::heartbeat);
    } catch (IngestionValidation.UnknownRunException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.UNKNOWN_RUN);
    }
    metrics.validated(report, Duration.ofNanos(System.nanoTime() - start));
    return new ValidationReport(
        report.checked(),
        report.incomplete(),
        report.probed(),
        report.unreachable(),
        report.problems(),
        errors(report.errors()));
  }

  private static List<DocumentError> errors(List<IngestionService.ItemError> errors) {
    return errors.stream()
        .map(e -> new DocumentError(e.source(), FailureReasons.truncate(e.reason(), MAX_REASON)))
        .toList();
  }

  @Override
  public List<FollowingIndex> following(String collection, int indexVersionId) {
    ActivityInfo parent = Activity.getExecutionContext().getInfo();
    return service.following(collection, indexVersionId).stream()
        .map(
            v ->
                new FollowingIndex(
                    parent.getWorkflowId() + "/index-" + v.id() + "/" + parent.getRunId(),
                    new io.engram.workflows.ingestion.IndexParams(
                        v.embeddingModel(), v.chunkSize(), v.chunkOverlap())))
        .toList();
  }
}
