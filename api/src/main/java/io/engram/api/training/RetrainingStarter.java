package io.engram.api.training;

import io.engram.api.auth.Caller;
import io.engram.api.blobs.BlobHashes;
import io.engram.api.collections.CollectionLookup;
import io.engram.api.problems.CleanText;
import io.engram.api.problems.Problems;
import io.engram.api.temporal.WorkflowRun;
import io.engram.contract.Evaluations.Split;
import io.engram.contract.Ingestions;
import io.engram.contract.Retrainings;
import io.engram.contract.Retrainings.Gate;
import io.engram.contract.Retrainings.RetrainingStarted;
import io.engram.contract.Retrainings.RetrainingStatus;
import io.engram.core.CoreServices;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.BlobStore;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.rollout.LiveIndexes;
import io.engram.core.training.RetrainingService;
import io.engram.core.tuning.Studies;
import io.engram.core.tuning.Trial;
import io.engram.core.tuning.TrialState;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.training.LabelledSet;
import io.engram.workflows.training.RetrainingProgress;
import io.engram.workflows.training.RetrainingRequest;
import io.engram.workflows.training.RetrainingResult;
import io.engram.workflows.training.RetrainingWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validates retraining requests and starts or inspects {@link RetrainingWorkflow} runs. Bad input
 * (an unknown collection, a blob not uploaded, a parameter outside the search space) is answered
 * here with a problem, before a workflow exists; the workflow's own checks cover clients that start
 * it directly.
 */
@Singleton
class RetrainingStarter {
  private static final WorkflowRun.Kind KIND =
      new WorkflowRun.Kind("retraining", RetrainingWorkflow.class.getSimpleName());

  /** What a run reports before a worker has picked it up (queries need a worker). */
  static final String WAITING_FOR_WORKER = "waiting-for-worker";

  private final WorkflowClient client;
  private final CollectionLookup collections;
  private final BlobStore blobs;
  private final Studies studies;
  private final IndexVersions indexVersions;
  private final ModelRegistry registry;
  private final LiveIndexes live;

  RetrainingStarter(WorkflowClient client, CoreServices core, CollectionLookup collections) {
    this.client = client;
    this.collections = collections;
    this.blobs = core.blobs();
    this.studies = core.retraining().studies();
    this.indexVersions = core.indexVersions();
    this.registry = core.registry();
    this.live = core.liveIndexes();
  }

  /**
   * Starts a retraining of the collection, or attaches to the one running for it: a collection has
   * one retraining at a time, under the workflow id {@code retrain-<collection>}.
   */
  RetrainingStarted start(Caller caller, Retrainings.RetrainingRequest body) {
    String name = body.collection();
    if (!CollectionRegistry.isValidName(name)) {
      throw Problems.invalidCollection(name);
    }
    LabelledSet labelled = labelled(body.labelled());
    String collection = collections.existing(caller, "/collection", name);
    Map<String, String> params = params(collection, body.params());
    if (labelled != null) {
      BlobHashes.requireUploaded(
          blobs, caller.tenant(), List.of(labelled.queriesBlob(), labelled.qrelsBlob()));
    }
    RetrainingRequest request =
        new RetrainingRequest(
            collection,
            RetrainingRequest.MANUAL,
            // Pinned parameters ask for that configuration to be trained and gated: a run.
            Boolean.TRUE.equals(body.force()) || !params.isEmpty(),
            labelled,
            params);
    RetrainingWorkflow workflow =
        client.newWorkflowStub(
            RetrainingWorkflow.class, RetrainingWorkflow.startOptions(collection));
    return WorkflowRun.start(
        "the retraining workflow",
        () -> {
          try {
            WorkflowExecution execution = WorkflowClient.start(workflow::retrain, request);
            return new RetrainingStarted(execution.getWorkflowId(), execution.getRunId(), false);
          } catch (WorkflowExecutionAlreadyStarted e) {
            WorkflowExecution running = e.getExecution();
            return new RetrainingStarted(running.getWorkflowId(), running.getRunId(), true);
          }
        });
  }

  /**
   * A retraining's state. A running one answers its progress query. An ended one is read from what
   * it left behind (its result or failure, its reason search attribute, its study), so no worker
   * has to replay it and a run whose worker is gone still answers at once.
   */
  RetrainingStatus status(Caller caller, String requested) {
    CleanText.require("workflowId", requested);
    Optional<WorkflowRun> given = WorkflowRun.find(client, requested, KIND, caller.tenant());
    String workflowId = given.isPresent() ? requested : ownWorkflowId(caller, requested);
    WorkflowRun workflow =
        collections.ofCurrentCollection(
            given.orElseGet(() -> WorkflowRun.describe(client, workflowId, KIND, caller.tenant())),
            KIND,
            workflowId);
    if (workflow.running()) {
      RetrainingProgress p =
          workflow.progress(
              RetrainingProgress.class,
              new RetrainingProgress(WAITING_FOR_WORKER, null, 0, 0, 0, null, null, null));
      return new RetrainingStatus(
          workflowId,
          workflow.runId(),
          workflow.statusName(),
          p.phase(),
          p.reason(),
          null,
          p.version(),
          List.of(),
          null,
          p.trials(),
          p.pruned(),
          p.failed(),
          p.best(),
          p.studyId(),
          null);
    }
    Search search = search(workflowId, workflow.runId());
    if (workflow.status() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      RetrainingResult result = workflow.result(RetrainingResult.class);
      boolean failed = RetrainingResult.FAILED.equals(result.outcome());
      return new RetrainingStatus(
          workflowId,
          workflow.runId(),
          workflow.statusName(),
          failed ? RetrainingProgress.FAILED : RetrainingProgress.DONE,
          result.reason(),
          result.outcome(),
          result.version(),
          result.gates().stream().map(g -> new Gate(g.name(), g.passed(), g.reason())).toList(),
          result.failure(),
          search.trials(),
          search.pruned(),
          search.failed(),
          search.best(),
          search.studyId(),
          result.rollout());
    }
    // Neither running nor completed, so the run has a reason it ended.
    String failure = workflow.failureReason().orElseThrow();
    return new RetrainingStatus(
        workflowId,
        workflow.runId(),
        workflow.statusName(),
        RetrainingProgress.FAILED,
        workflow.searchAttribute(EngramSearchAttributes.RETRAIN_REASON).orElse(null),
        RetrainingResult.FAILED,
        null,
        List.of(),
        failure,
        search.trials(),
        search.pruned(),
        search.failed(),
        search.best(),
        search.studyId(),
        null);
  }

  /**
   * The workflow id a caller means when none of the caller's has the id as given: {@code
   * retrain-NAME} names the retraining of the caller's own collection NAME, as {@code ./engram
   * retrain --status} asks for it (another tenant's collections are qualified by their tenant).
   */
  private static String ownWorkflowId(Caller caller, String requested) {
    String prefix = RetrainingWorkflow.workflowId("");
    if (!requested.startsWith(prefix)) {
      return requested;
    }
    String name = requested.substring(prefix.length());
    return CollectionRegistry.isValidName(name)
        ? RetrainingWorkflow.workflowId(caller.tenant().collection(name))
        : requested;
  }

  /** An ended run's search as its study stored it; no study when the run did not search. */
  private record Search(Long studyId, int trials, int pruned, int failed, Double best) {
    static final Search NONE = new Search(null, 0, 0, 0, null);
  }

  private Search search(String workflowId, String runId) {
    return studies
        .byWorkflowId(RetrainingService.studyKey(workflowId, runId))
        .map(
            study -> {
              List<Trial> trials = study.trials();
              return new Search(
                  study.id(),
                  (int) trials.stream().filter(t -> t.state().finished()).count(),
                  (int) trials.stream().filter(t -> t.state() == TrialState.PRUNED).count(),
                  (int) trials.stream().filter(t -> t.state() == TrialState.FAILED).count(),
                  study.best().map(Trial::value).orElse(null));
            })
        .orElse(Search.NONE);
  }

  /** The labelled set as the workflow takes it; null when the request names none. */
  private static LabelledSet labelled(Retrainings.LabelledSet body) {
    if (body == null) {
      return null;
    }
    BlobHashes.requireSha256("/labelled/queriesBlob", body.queriesBlob());
    BlobHashes.requireSha256("/labelled/qrelsBlob", body.qrelsBlob());
    Split split = body.split() == null ? Split.TRAIN : body.split();
    return new LabelledSet(body.dataset(), split.wireName(), body.queriesBlob(), body.qrelsBlob());
  }

  /**
   * The pinned parameters, each checked now against the search space (retrieval parameters) or the
   * chunking rules (index parameters), so a misspelt name or a value out of range is a 400 that
   * names it rather than a failed run.
   */
  private Map<String, String> params(String collection, Map<String, String> body) {
    Map<String, String> params = new LinkedHashMap<>();
    if (body == null) {
      return params;
    }
    Map<String, Integer> chunking = new LinkedHashMap<>();
    String model = null;
    for (Map.Entry<String, String> e : body.entrySet()) {
      String name = e.getKey();
      String pointer = "/params/" + pointerToken(name);
      if (name.isBlank()) {
        throw Problems.invalidField(pointer, "a parameter name must not be blank");
      }
      if (e.getValue() == null) {
        throw Problems.invalidField(pointer, "must not be null; write the value as a string");
      }
      if (name.equals(RetrainingRequest.EMBEDDING_MODEL)) {
        model = embeddingModel(pointer, e.getValue());
      } else if (RetrainingRequest.INDEX_PARAMS.contains(name)) {
        chunking.put(name, chunkingParam(pointer, name, e.getValue()));
      } else {
        try {
          RetrainingService.SPACE.parsePartial(Map.of(name, e.getValue()));
        } catch (IllegalArgumentException invalid) {
          throw Problems.invalidField(
              pointer,
              invalid.getMessage()
                  + "; the parameters are "
                  + RetrainingService.SPACE.names()
                  + " and "
                  + RetrainingRequest.INDEX_PARAMS);
        }
      }
      params.put(name, name.equals(RetrainingRequest.EMBEDDING_MODEL) ? model : e.getValue());
    }
    if (!chunking.isEmpty()) {
      IndexParams wanted =
          new IndexParams(model, chunking.get("chunkSize"), chunking.get("chunkOverlap"));
      try {
        // From the index the collection is served from, as the rebuild will be.
        indexVersions.check(live.serving(collection), wanted);
      } catch (IllegalArgumentException e) {
        throw Problems.invalidField("/params/chunkOverlap", e.getMessage());
      }
    }
    return params;
  }

  /** The embedding model parameter: the name of a model this installation ships. */
  private static String embeddingModel(String pointer, String text) {
    try {
      return EmbeddingModels.spec(text.strip()).name();
    } catch (IllegalArgumentException e) {
      throw Problems.invalidField(pointer, e.getMessage());
    }
  }

  /** A chunking parameter: a whole number of characters within the ingestion API's limits. */
  private static int chunkingParam(String pointer, String name, String text) {
    int value;
    try {
      value = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw Problems.invalidField(pointer, "must be a whole number of characters, got " + text);
    }
    int min = name.equals("chunkSize") ? Ingestions.MIN_CHUNK_SIZE : 0;
    int max = name.equals("chunkSize") ? Ingestions.MAX_CHUNK_SIZE : Ingestions.MAX_CHUNK_OVERLAP;
    if (value < min || value > max) {
      throw Problems.invalidField(
          pointer, "must be between " + min + " and " + max + " characters, got " + value);
    }
    return value;
  }

  /** A map key as one token of a JSON pointer (RFC 6901). */
  private static String pointerToken(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
