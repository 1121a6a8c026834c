package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.engram.contract.Evaluations.Split;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/retrainings} and {@code /v1/studies}: retrain a collection's model with the retraining
 * workflow (decide, search, register, evaluate, gate) and read the hyperparameter study it ran.
 */
public final class Retrainings {
  /** The most parameters one request may pin. */
  public static final int MAX_PARAMS = 32;

  private Retrainings() {}

  /**
   * A retraining of one collection's model. At most one runs per collection: a request while one
   * runs attaches to it (see {@link RetrainingStarted#attached()}).
   *
   * @param collection the collection whose model is retrained
   * @param force retrain whatever the decision would say (default false; pinned {@code params}
   *     imply it)
   * @param labelled the labelled set to learn from and be judged on (default: the one the
   *     collection's newest version was trained on)
   * @param params parameters to pin, by name, as text (e.g. {@code "denseWeight": "0.6"}): that
   *     configuration is trained and gated without a search; none for a search. {@code
   *     embeddingModel} ({@code bge-small-en-v1.5-q} or {@code all-minilm-l6-v2-q}), {@code
   *     chunkSize} and {@code chunkOverlap} give the candidate an index of its own, rebuilt from
   *     the collection's documents with that model and chunking (the search, or the other pinned
   *     parameters, then work on it)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RetrainingRequest(
      @NotBlank @Size(max = 63, message = SizeMessages.AT_MOST_CHARS) String collection,
      Boolean force,
      @Valid LabelledSet labelled,
      @Size(max = MAX_PARAMS, message = SizeMessages.AT_MOST_ITEMS) Map<String, String> params) {}

  /**
   * A BEIR labelled set as claim checks: {@code queries.jsonl} and {@code qrels/<split>.tsv},
   * uploaded first with {@code PUT /v1/blobs/{sha256}}. A retraining fits on about 80 % of the
   * split's query ids and judges on the held-out rest.
   *
   * @param dataset name of the dataset, for the record
   * @param split the qrels split (default {@code train})
   * @param queriesBlob SHA-256 of {@code queries.jsonl}
   * @param qrelsBlob SHA-256 of {@code qrels/<split>.tsv}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LabelledSet(
      @NotBlank @Size(max = 200, message = SizeMessages.AT_MOST_CHARS) String dataset,
      Split split,
      @NotBlank @Size(max = 64, message = SizeMessages.AT_MOST_CHARS) String queriesBlob,
      @NotBlank @Size(max = 64, message = SizeMessages.AT_MOST_CHARS) String qrelsBlob) {}

  /**
   * The retraining the request started, or attached to.
   *
   * @param attached true when a retraining of the collection was already running and the request
   *     attached to it instead of starting another; its own labelled set, force and parameters were
   *     then not used
   */
  public record RetrainingStarted(String workflowId, String runId, boolean attached) {}

  /**
   * A retraining's state: while it runs, the workflow's progress; once it has ended, its result and
   * its study as stored. Absent fields are null.
   *
   * @param status the workflow's status: {@code RUNNING}, {@code COMPLETED}, {@code FAILED}, …
   * @param phase {@code waiting-for-worker}, {@code deciding}, {@code checking}, {@code searching},
   *     {@code registering}, {@code evaluating}, {@code gating}, {@code done} or {@code failed}
   * @param reason why it runs, or why not (e.g. {@code force}, {@code model_still_valid}); null
   *     before the decision
   * @param outcome {@code no_op}, {@code staged}, {@code rejected} or {@code failed}; null while it
   *     runs
   * @param version the registered candidate's number; null before it is registered, and for a run
   *     that ended without completing
   * @param gates each quality gate with its verdict; empty before the gates ran
   * @param failure why it failed; null otherwise
   * @param trials trials finished (complete, pruned or failed)
   * @param pruned trials pruned
   * @param failed trials that failed (once the run has ended: those its study stored as failed)
   * @param best the best objective value so far (NDCG@10 on the fitting part); null before any
   * @param studyId the search's study ({@code GET /v1/studies/{id}}); null without a search
   * @param rollout the rollout the staged version started by itself ({@code GET /v1/rollouts/{id}};
   *     the profile's {@code ENGRAM_ROLLOUT_AUTO_START}); null when none
   */
  public record RetrainingStatus(
      String workflowId,
      String runId,
      String status,
      String phase,
      String reason,
      String outcome,
      Integer version,
      List<Gate> gates,
      String failure,
      int trials,
      int pruned,
      int failed,
      Double best,
      Long studyId,
      String rollout) {
    public RetrainingStatus {
      gates = gates == null ? List.of() : List.copyOf(gates);
    }
  }

  /** One quality gate's verdict on a candidate. */
  public record Gate(String name, boolean passed, String reason) {}

  /**
   * A hyperparameter study, with its trials for charts.
   *
   * @param sampler {@code tpe} or {@code random}
   * @param state {@code running}, {@code complete} or {@code failed}
   * @param stopReason why the search stopped; null while it runs
   * @param objective what a trial's value measures, e.g. {@code ndcg@10 (fit/validation)}
   * @param direction {@code maximize} or {@code minimize}: which objective values are better
   * @param bestTrial the number of the best complete trial; null before one completes
   */
  public record StudyView(
      long id,
      String collection,
      String sampler,
      String state,
      String stopReason,
      String objective,
      String direction,
      Integer bestTrial,
      List<TrialView> trials) {
    public StudyView {
      trials = trials == null ? List.of() : List.copyOf(trials);
    }
  }

  /**
   * One trial of a study.
   *
   * @param state {@code running}, {@code complete}, {@code pruned} or {@code failed}
   * @param value the objective; only for a complete trial
   * @param costSeconds what its evaluation cost; null while it runs
   * @param params the parameters it tried, by name
   * @param intermediate the partial evaluations it reported, by step in ascending order: where a
   *     pruned trial stood when it was stopped
   */
  public record TrialView(
      int number,
      String state,
      Double value,
      Double costSeconds,
      Map<String, Object> params,
      List<Report> intermediate) {
    public TrialView {
      params = params == null ? Map.of() : params;
      intermediate = intermediate == null ? List.of() : List.copyOf(intermediate);
    }
  }

  /** A partial evaluation of a trial. */
  public record Report(int step, double value) {}
}
