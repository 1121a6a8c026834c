package io.engram.workflows.ingestion;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.Failures;
import io.engram.workflows.common.ParallelBatches;
import io.engram.workflows.common.RetryPolicies;
import io.engram.workflows.common.TaskQueues;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * Discover, process the pending items in batches with bounded parallelism, then validate what was
 * stored against the index and have the collection's other indexes follow. Only counts, ids and
 * short error records cross the history; document text and vectors stay in PostgreSQL.
 *
 * <p>A run hands out at most {@link #BATCHES_PER_RUN} batches, then continues as new with what it
 * discovered and counted ({@link IngestionRequest.Resume}): each batch adds about six events to the
 * history, and Temporal ends a run whose history passes 51,200 events, which a single run would
 * reach near 270,000 pending documents. The items stay keyed by the first run's id.
 */
public class IngestionWorkflowImpl implements IngestionWorkflow {
  /** Documents per activity: a batch embeds in seconds, so progress is fine-grained. */
  static final int BATCH_SIZE = 32;

  /**
   * Batches in flight. ONNX Runtime already uses both cores per call, so two batches overlap one
   * batch's parsing and database writes with the other's embedding without oversubscribing.
   */
  static final int MAX_PARALLEL_BATCHES = 2;

  /** Batches one run hands out before it continues as new: about 6,000 history events. */
  static final int BATCHES_PER_RUN = 1_000;

  /** The change that added continue-as-new; runs that started before it process every batch. */
  static final String CONTINUE_AS_NEW = "continue-as-new";

  /**
   * The change after which a run that stored documents rebuilds the other indexes the collection
   * can serve from, so they hold them too; runs that started before it end after their batches.
   */
  static final String FOLLOWING_INDEXES = "following-indexes";

  /**
   * The change after which a run that stored documents validates them against the index version it
   * wrote before it ends; runs that started before it end unvalidated.
   */
  static final String VALIDATION = "validation";

  /** Why a record the source lists again under a source already listed is failed. */
  static final String DUPLICATE =
      "listed again (for a JSONL corpus, a second line with this _id): only the first is"
          + " ingested; give each record an id of its own";

  private static final Logger log = Workflow.getLogger(IngestionWorkflowImpl.class);

  private static final RetryOptions RETRY = RetryPolicies.standard(FailureTypes.INVALID_SOURCE);

  private final IngestionActivities discovery =
      ActivityStubs.heartbeating(
          IngestionActivities.class, Duration.ofMinutes(30), Duration.ofMinutes(1), RETRY);

  private final IngestionActivities batches =
      ActivityStubs.heartbeating(
          IngestionActivities.class, Duration.ofMinutes(30), ActivityStubs.BATCH_HEARTBEAT, RETRY);

  private String phase = "discovering";
  private int total;
  private int done;
  private int skipped;
  private int failed;
  private int tombstoned;
  private long chunks;
  private int indexVersionId;
  private final List<DocumentError> errors = new ArrayList<>();
  private List<String> tombstonedSample = List.of();
  private ValidationReport validation;
  private final int batchesPerRun;

  public IngestionWorkflowImpl() {
    this(BATCHES_PER_RUN);
  }

  /** With another batch budget per run, for tests of continue-as-new. */
  IngestionWorkflowImpl(int batchesPerRun) {
    this.batchesPerRun = batchesPerRun;
  }

  @Override
  public IngestionProgress ingest(IngestionRequest request) {
    IngestionRequest.Resume resume = request.resume();
    String runKey;
    int from;
    int pending;
    if (resume == null) {
      runKey = Workflow.getInfo().getRunId();
      DiscoveryResult found = discovery.discover(runKey, request);
      // A record the source repeats is failed, with why: only its first is ingested.
      total = found.total() + found.duplicates();
      failed = found.duplicates();
      addErrors(
          found.duplicateSample().stream()
              .map(source -> new DocumentError(source, DUPLICATE))
              .toList());
      skipped = found.skipped();
      tombstoned = found.tombstoned();
      tombstonedSample = found.tombstonedSample();
      indexVersionId = found.indexVersionId();
      from = 0;
      pending = found.pending();
    } else {
      runKey = resume.runKey();
      restore(resume.soFar());
      from = resume.nextSeq();
      pending = resume.pending();
    }

    phase = "embedding";
    int to = pending;
    if (Workflow.getVersion(CONTINUE_AS_NEW, Workflow.DEFAULT_VERSION, 1) == 1) {
      to = (int) Math.min(pending, from + (long) batchesPerRun * BATCH_SIZE);
    }
    ParallelBatches.run(
        from,
        to,
        BATCH_SIZE,
        MAX_PARALLEL_BATCHES,
        (first, end) -> Async.function(batches::processBatch, runKey, first, end),
        this::count);
    if (to < pending) {
      Workflow.continueAsNew(
          request.resumingAt(new IngestionRequest.Resume(runKey, to, pending, progress())));
    }
    if (done > 0 && Workflow.getVersion(VALIDATION, Workflow.DEFAULT_VERSION, 1) == 1) {
      phase = "validating";
      validate(runKey);
    }
    if (!request.rebuilds()
        && done > 0
        && Workflow.getVersion(FOLLOWING_INDEXES, Workflow.DEFAULT_VERSION, 1) == 1) {
      phase = "following";
      follow(request.collection());
    }
    phase = "done";
    return progress();
  }

  /**
   * Checks what the run stored against its index version. The documents validation fails move from
   * {@code done} to {@code failed} with their reasons (so when it fails every one, no other index
   * follows: there is nothing to copy); what is wrong with the index itself is reported, not
   * thrown. A validation that cannot run (its retries spent) fails no run: the documents are
   * stored, and the report stays empty.
   */
  private void validate(String runKey) {
    ValidationReport report;
    try {
      report = discovery.validate(runKey);
    } catch (ActivityFailure e) {
      log.warn("the run's documents were not validated: {}", Failures.reason(e));
      return;
    }
    done -= report.incomplete();
    failed += report.incomplete();
    addErrors(report.errors());
    for (String problem : report.problems()) {
      log.warn("validation: {}", problem);
    }
    // The reasons are among the run's errors already; progress carries them once.
    validation =
        new ValidationReport(
            report.checked(),
            report.incomplete(),
            report.probed(),
            report.unreachable(),
            report.problems(),
            List.of());
  }

  /**
   * Starts a rebuild of each other index the collection can serve from: a child ingestion that
   * embeds only what that index lacks (the documents this run stored). The children run on after
   * this run ends (abandoned), so a new request for the same source starts a new run rather than
   * attaching to one that waits for other indexes. Neither the lookup nor a child failing fails
   * this run: the documents are stored where the collection is served from, and a rollout catches
   * its candidate up again before a promotion.
   */
  private void follow(String collection) {
    List<FollowingIndex> others;
    try {
      others = discovery.following(collection, indexVersionId);
    } catch (ActivityFailure e) {
      log.warn("the other indexes of {} were not looked up: {}", collection, Failures.reason(e));
      return;
    }
    for (FollowingIndex index : others) {
      IngestionWorkflow child =
          Workflow.newChildWorkflowStub(
              IngestionWorkflow.class,
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(index.workflowId())
                  .setTaskQueue(TaskQueues.INGEST)
                  .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                  .setTypedSearchAttributes(EngramSearchAttributes.ofCollection(collection))
                  .build());
      Async.function(child::ingest, IngestionRequest.rebuild(collection, index.index()));
      try {
        Workflow.getWorkflowExecution(child).get();
      } catch (TemporalFailure e) {
        log.warn("{}: the index did not follow: {}", index.workflowId(), Failures.reason(e));
      }
    }
  }

  private void restore(IngestionProgress soFar) {
    total = soFar.total();
    done = soFar.done();
    skipped = soFar.skipped();
    failed = soFar.failed();
    tombstoned = soFar.tombstoned();
    chunks = soFar.chunks();
    errors.addAll(soFar.errors());
    tombstonedSample = soFar.tombstonedSample();
    indexVersionId = soFar.indexVersionId();
  }

  private void count(BatchResult result) {
    done += result.done();
    failed += result.failed();
    chunks += result.chunks();
    addErrors(result.errors());
  }

  private void addErrors(List<DocumentError> more) {
    for (DocumentError error : more) {
      if (errors.size() < MAX_ERRORS) {
        errors.add(error);
      }
    }
  }

  @Override
  public IngestionProgress progress() {
    return new IngestionProgress(
        phase,
        total,
        done,
        skipped,
        failed,
        tombstoned,
        chunks,
        List.copyOf(errors),
        tombstonedSample,
        indexVersionId,
        validation);
  }
}
