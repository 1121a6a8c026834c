package io.engram.api.evaluation;

import io.engram.api.auth.Caller;
import io.engram.api.blobs.BlobHashes;
import io.engram.api.collections.CollectionLookup;
import io.engram.api.problems.CleanText;
import io.engram.api.problems.Problems;
import io.engram.api.temporal.WorkflowRun;
import io.engram.contract.Evaluations;
import io.engram.contract.Evaluations.AnswerMetrics;
import io.engram.contract.Evaluations.EvaluationStarted;
import io.engram.contract.Evaluations.EvaluationStatus;
import io.engram.contract.Evaluations.Part;
import io.engram.contract.Evaluations.Split;
import io.engram.core.CoreServices;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.evaluation.EvaluationAnswers;
import io.engram.core.evaluation.EvaluationRuns;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.BlobStore;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.tenant.Tenant;
import io.engram.workflows.evaluation.EvaluationProgress;
import io.engram.workflows.evaluation.EvaluationRequest;
import io.engram.workflows.evaluation.EvaluationWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Validates evaluation requests and starts or inspects {@link EvaluationWorkflow} runs. Bad input
 * is answered here with a problem, before a workflow exists; the workflow's own checks cover
 * clients that start it directly.
 */
@Singleton
class EvaluationStarter {
  private static final WorkflowRun.Kind KIND =
      new WorkflowRun.Kind("evaluation", EvaluationWorkflow.class.getSimpleName());

  private final WorkflowClient client;
  private final CollectionLookup collections;
  private final IndexVersions indexVersions;
  private final BlobStore blobs;
  private final EvaluationRuns runs;
  private final ModelRegistry registry;

  EvaluationStarter(WorkflowClient client, CoreServices core, CollectionLookup collections) {
    this.client = client;
    this.collections = collections;
    this.indexVersions = core.indexVersions();
    this.blobs = core.blobs();
    this.runs = core.evaluations().runs();
    this.registry = core.registry();
  }

  EvaluationStarted start(Caller caller, Evaluations.EvaluationRequest body) {
    String split = (body.split() == null ? Split.TEST : body.split()).wireName();
    String part = (body.part() == null ? Part.ALL : body.part()).wireName();
    BlobHashes.requireSha256("/queriesBlob", body.queriesBlob());
    BlobHashes.requireSha256("/qrelsBlob", body.qrelsBlob());
    String name = body.collection() == null ? body.dataset() : body.collection();
    if (!CollectionRegistry.isValidName(name)) {
      throw Problems.invalidCollection(name);
    }
    String collection = collections.existing(caller, "/collection", name);
    String model = body.model() == null ? null : requireModel(caller, collection, body.model());
    BlobHashes.requireUploaded(
        blobs, caller.tenant(), List.of(body.queriesBlob(), body.qrelsBlob()));
    EvaluationRequest request =
        new EvaluationRequest(
            body.dataset(),
            split,
            part,
            collection,
            model,
            body.queriesBlob(),
            body.qrelsBlob(),
            body.limit(),
            body.answers(),
            null);
    String workflowId = EvaluationWorkflow.workflowId(request, UUID.randomUUID());
    EvaluationWorkflow workflow =
        client.newWorkflowStub(
            EvaluationWorkflow.class, EvaluationWorkflow.startOptions(workflowId, collection));
    WorkflowExecution execution =
        WorkflowRun.start(
            "the evaluation workflow", () -> WorkflowClient.start(workflow::evaluate, request));
    return new EvaluationStarted(execution.getWorkflowId(), execution.getRunId());
  }

  EvaluationStatus status(Caller caller, String workflowId) {
    CleanText.require("workflowId", workflowId);
    WorkflowRun workflow =
        collections.ofCurrentCollection(
            WorkflowRun.describe(client, workflowId, KIND, caller.tenant()), KIND, workflowId);
    String name = workflow.statusName();
    String runId = workflow.runId();
    Optional<EvaluationRuns.Run> stored =
        runs.byWorkflowId(workflowId).filter(r -> caller.tenant().owns(r.target().collection()));

    if (workflow.running()) {
      EvaluationProgress progress =
          workflow.progress(
              EvaluationProgress.class,
              new EvaluationProgress(
                  "waiting-for-worker", 0, null, 0, 0, 0, 0, 0, 0, null, null, 0, 0, 0));
      boolean any = progress.done() > 0;
      return new EvaluationStatus(
          workflowId,
          runId,
          name,
          progress.phase(),
          stored.map(EvaluationRuns.Run::id).orElse(null),
          stored.map(r -> r.evalSet().dataset()).orElse(null),
          stored.map(r -> r.evalSet().split()).orElse(null),
          stored.map(r -> r.evalSet().part()).orElse(null),
          stored.map(r -> caller.shown(r.target().collection())).orElse(null),
          caller.shown(progress.modelVersion()),
          progress.total(),
          progress.done(),
          any ? progress.ndcgAt10() : null,
          any ? progress.mrrAt10() : null,
          any ? progress.recallAt10() : null,
          any ? progress.recallAt100() : null,
          null,
          null,
          stored.map(r -> text(r.startedAt())).orElse(null),
          null,
          null,
          progress.answerModel() == null
              ? null
              : new AnswerMetrics(
                  progress.answerModel(),
                  progress.answersTotal(),
                  progress.answersDone(),
                  progress.answersDone() - progress.answersFallback(),
                  progress.answersFallback(),
                  null,
                  null,
                  null,
                  null));
    }
    String failure = workflow.failureReason().orElse(null);
    if (stored.isEmpty()) {
      // Failed before a run was registered, which is what bad input does.
      return failedBeforeRun(workflowId, runId, name, failure);
    }
    EvaluationRuns.Run run = stored.get();
    boolean completed = "completed".equals(run.status());
    Optional<EvaluationRuns.Metrics> metrics = Optional.ofNullable(run.metrics());
    return new EvaluationStatus(
        workflowId,
        runId,
        name,
        completed ? "done" : "failed",
        run.id(),
        run.evalSet().dataset(),
        run.evalSet().split(),
        run.evalSet().part(),
        caller.shown(run.target().collection()),
        caller.shown(run.target().modelVersion()),
        run.queryCount(),
        completed ? run.queryCount() : 0,
        metrics.map(EvaluationRuns.Metrics::ndcgAt10).orElse(null),
        metrics.map(EvaluationRuns.Metrics::mrrAt10).orElse(null),
        metrics.map(EvaluationRuns.Metrics::recallAt10).orElse(null),
        metrics.map(EvaluationRuns.Metrics::recallAt100).orElse(null),
        metrics.map(EvaluationRuns.Metrics::p50Ms).orElse(null),
        metrics.map(EvaluationRuns.Metrics::p95Ms).orElse(null),
        text(run.startedAt()),
        text(run.finishedAt()),
        failure != null ? failure : run.error(),
        answers(run.answers(), completed));
  }

  /** A run that failed before it was registered, which is what bad input does. */
  private static EvaluationStatus failedBeforeRun(
      String workflowId, String runId, String status, String failure) {
    return new EvaluationStatus(
        workflowId,
        runId,
        status,
        "failed",
        null,
        null,
        null,
        null,
        null,
        null,
        0,
        0,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        failure,
        null);
  }

  /** The stored advisory tier; the counts of a run that did not complete are not final. */
  private static AnswerMetrics answers(EvaluationAnswers.Summary stored, boolean completed) {
    if (stored == null) {
      return null;
    }
    return new AnswerMetrics(
        stored.model(),
        stored.sample(),
        completed ? stored.sample() : stored.generated() + stored.fallback(),
        stored.generated(),
        stored.fallback(),
        stored.faithfulness(),
        stored.relevancy(),
        stored.contextRecall(),
        stored.p50Ms());
  }

  /**
   * A model an evaluation may name: a registered version of the collection ({@code v3}, {@code 3},
   * {@code <collection>/v3}), serving or not, or an index version by name. Returns it as the
   * workflow is to be given it: a version named with its collection names the collection's key.
   */
  private String requireModel(Caller caller, String collection, String model) {
    Optional<RegisteredVersion.Reference> reference = RegisteredVersion.Reference.parse(model);
    if (reference.isEmpty()) {
      if (indexVersions.byName(model).isEmpty()) {
        throw Problems.notFound(
            "model-version",
            "no model version '"
                + model
                + "'; name a registered version (v3; ./engram models list --collection "
                + Tenant.nameOf(collection)
                + ") or an index version, as reported in modelVersion by /v1/query");
      }
      return model;
    }
    String named = reference.get().collection();
    if (named != null && !named.equals(Tenant.nameOf(collection))) {
      throw Problems.invalidField(
          "/model",
          model + " is a version of collection " + named + ", not of " + Tenant.nameOf(collection));
    }
    int version = reference.get().version();
    if (registry.find(collection, version).isEmpty()) {
      throw Problems.notFound(
          "model-version",
          "no model version "
              + caller.shown(RegisteredVersion.label(collection, version))
              + "; ./engram models list --collection "
              + Tenant.nameOf(collection)
              + " shows them");
    }
    // The workflow parses the reference again, against the collection's key.
    return named == null ? model : RegisteredVersion.label(collection, version);
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
