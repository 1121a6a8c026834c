package io.engram.core.evaluation;

import io.engram.core.collection.CollectionRegistry;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.BlobStore;
import io.engram.core.ingestion.DocumentIndexes;
import io.engram.core.query.QueryPipeline;
import io.engram.core.query.QueryPipelines;
import io.engram.core.query.UnknownResourceException;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.retrieval.Candidate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluation steps the workflow's activities run: register a run with its judged queries, run a
 * range of them through the real retrieval path, and summarize. Like ingestion, every step is
 * idempotent by construction:
 *
 * <ul>
 *   <li>{@link #prepare} is keyed by the workflow id; a retry finds the registered run and returns
 *       the same plan.
 *   <li>{@link #evaluate} handles only queries still pending; each result is written to the row
 *       keyed by (run, query id), so a retried batch neither re-measures a finished query nor
 *       counts one twice, and it reports its whole range from the stored rows.
 * </ul>
 *
 * <p>The retriever receives only the query text: judgements stay in the database and are used only
 * to score the ranking it returned.
 */
public final class EvaluationService {
  private static final Logger log = LoggerFactory.getLogger(EvaluationService.class);

  /**
   * Chunks retrieved per query. It is the most {@code POST /v1/query} returns, so Recall@100 (over
   * the distinct documents of these chunks) is as complete as a client of the API could measure.
   */
  public static final int DEPTH = 100;

  /** Documents of each ranking kept in {@code eval_query_results.top_ids}. */
  static final int TOP_IDS = 10;

  /**
   * What to evaluate.
   *
   * @param workflowId the run's key: one evaluation run per workflow id
   * @param modelVersion index version name, or null for the champion
   * @param queries where the judged queries come from
   * @param limit evaluate at most this many of the selected queries, or null for all
   */
  public record Request(
      String workflowId,
      String dataset,
      String split,
      QuerySplit.Part part,
      String collection,
      String modelVersion,
      Queries queries,
      Integer limit) {}

  /**
   * Where a run's judged queries come from: uploaded BEIR files, or a stored run whose queries are
   * evaluated again (then {@code fromRun} is set and the blobs are null).
   */
  public record Queries(String queriesBlob, String qrelsBlob, Long fromRun) {
    /** The uploaded {@code queries.jsonl} and qrels split. */
    public static Queries uploaded(String queriesBlob, String qrelsBlob) {
      return new Queries(queriesBlob, qrelsBlob, null);
    }

    /** The judged queries of stored run {@code runId}. */
    public static Queries ofRun(long runId) {
      return new Queries(null, null, runId);
    }
  }

  /** A registered run: its id, the index version searched and the number of queries. */
  public record Plan(long runId, String indexVersion, int queries) {}

  /** A batch's outcome: the sums over every evaluated query of its range. */
  public record BatchOutcome(EvaluationQueries.Sums sums, int evaluatedNow) {}

  /** Thrown when the request can never succeed; {@link #reason()} says which input is wrong. */
  public static final class InvalidEvaluationException extends Exception {
    /** Which input is wrong. */
    public enum Reason {
      UNKNOWN_COLLECTION,
      UNKNOWN_MODEL_VERSION,
      INVALID_DATASET
    }

    private final Reason reason;

    public InvalidEvaluationException(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  private final EvaluationStore store;
  private final EvaluationRuns runs;
  private final EvaluationQueries queries;
  private final IndexVersions indexVersions;
  private final CollectionRegistry collections;
  private final DocumentIndexes documentIndexes;
  private final BlobStore blobs;
  private final QueryPipelines pipelines;
  private final ModelRegistry registry;

  /**
   * @param pipelines the query pipelines whose retrieval is measured: the champion's, or the one of
   *     the index version a run names
   */
  public EvaluationService(
      Jdbi jdbi,
      EvaluationStore store,
      IndexVersions indexVersions,
      CollectionRegistry collections,
      BlobStore blobs,
      QueryPipelines pipelines,
      ModelRegistry registry) {
    this.store = store;
    this.runs = store.runs();
    this.queries = store.queries();
    this.indexVersions = indexVersions;
    this.collections = collections;
    this.documentIndexes = new DocumentIndexes(jdbi);
    this.blobs = blobs;
    this.pipelines = pipelines;
    this.registry = registry;
  }

  /** The stored runs, which the answer tier of the same runs works on too. */
  public EvaluationStore store() {
    return store;
  }

  /**
   * Validates the request, reads the claim-checked queries and qrels (or the judged queries of the
   * stored run it names), and registers the run with its selected queries as pending. Loads the
   * version's embedding model, so the first batch does not spend its heartbeat interval on that.
   */
  public Plan prepare(Request request, Runnable heartbeat)
      throws IOException, InvalidEvaluationException {
    Optional<EvaluationRuns.Run> existing = runs.byWorkflowId(request.workflowId());
    if (existing.isPresent()) {
      EvaluationRuns.Run run = existing.get();
      IndexVersion version = indexVersions.byId(run.target().indexVersionId()).orElseThrow();
      EmbeddingModels.get(version.embeddingModel());
      return new Plan(run.id(), version.name(), run.queryCount());
    }
    if (!collections.exists(request.collection())) {
      throw new InvalidEvaluationException(
          InvalidEvaluationException.Reason.UNKNOWN_COLLECTION,
          "no collection '" + request.collection() + "'; ingest the corpus into it first");
    }
    Optional<RegisteredVersion> registered =
        registeredVersion(request.collection(), request.modelVersion());
    QueryPipeline pipeline =
        registered.isPresent()
            ? pipelines.forRegistered(registered.get())
            : resolve(request.collection(), request.modelVersion());
    IndexVersion version = pipeline.version().index();
    if (!documentIndexes.anyActive(request.collection(), version.id())) {
      throw new InvalidEvaluationException(
          InvalidEvaluationException.Reason.UNKNOWN_COLLECTION,
          "collection '"
              + request.collection()
              + "' has no documents indexed with model version "
              + version.name()
              + "; ingest the corpus first");
    }
    List<BeirDataset.Query> judged =
        request.queries().fromRun() == null ? uploaded(request) : storedQueries(request);
    heartbeat.run();
    EmbeddingModels.get(version.embeddingModel());
    heartbeat.run();
    long id =
        store.register(
            new EvaluationRuns.NewRun(
                request.workflowId(),
                new EvaluationRuns.EvalSet(
                    request.dataset(), request.split(), request.part().wireName()),
                new EvaluationRuns.Target(request.collection(), version.name(), version.id()),
                pipeline.version().retrieval(),
                registered.map(RegisteredVersion::id).orElse(null)),
            judged);
    return new Plan(id, version.name(), judged.size());
  }

  /** The selected queries of the uploaded BEIR files. */
  private List<BeirDataset.Query> uploaded(Request request)
      throws IOException, InvalidEvaluationException {
    Queries source = request.queries();
    List<String> missing = blobs.missing(List.of(source.queriesBlob(), source.qrelsBlob()));
    if (!missing.isEmpty()) {
      throw new InvalidEvaluationException(
          InvalidEvaluationException.Reason.INVALID_DATASET,
          "blob " + missing.get(0) + " is not stored; upload queries.jsonl and the qrels again");
    }
    BeirDataset.Selection selection;
    try {
      selection =
          BeirDataset.select(
              blobs.read(source.queriesBlob()),
              blobs.read(source.qrelsBlob()),
              request.part(),
              request.limit());
    } catch (BeirDataset.InvalidDatasetException e) {
      throw new InvalidEvaluationException(
          InvalidEvaluationException.Reason.INVALID_DATASET, e.getMessage());
    }
    if (selection.withoutText() > 0) {
      log.warn(
          "{}: {} of {} judged queries are missing from queries.jsonl and are skipped",
          request.workflowId(),
          selection.withoutText(),
          selection.judged());
    }
    return selection.queries();
  }

  /**
   * The judged queries of the stored run the request names, in its order, which must be a run of
   * the same eval set and collection (its judgements name that collection's documents).
   */
  private List<BeirDataset.Query> storedQueries(Request request) throws InvalidEvaluationException {
    long from = request.queries().fromRun();
    EvaluationRuns.Run source =
        runs.byId(from)
            .orElseThrow(
                () ->
                    new InvalidEvaluationException(
                        InvalidEvaluationException.Reason.INVALID_DATASET,
                        "no evaluation run " + from + " to take the queries from"));
    EvaluationRuns.EvalSet asked =
        new EvaluationRuns.EvalSet(request.dataset(), request.split(), request.part().wireName());
    if (!source.evalSet().equals(asked)
        || !source.target().collection().equals(request.collection())) {
      throw new InvalidEvaluationException(
          InvalidEvaluationException.Reason.INVALID_DATASET,
          "evaluation run "
              + from
              + " measured "
              + source.evalSet().key()
              + " on collection '"
              + source.target().collection()
              + "', not "
              + asked.key()
              + " on '"
              + request.collection()
              + "'");
    }
    List<BeirDataset.Query> judged = queries.judged(from);
    return request.limit() == null || request.limit() >= judged.size()
        ? judged
        : judged.subList(0, request.limit());
  }

  /**
   * Runs the pending queries {@code fromSeq <= seq < toSeq} of a run through the retriever, scores
   * each ranking and stores the result. Heartbeats with each finished sequence number.
   */
  public BatchOutcome evaluate(long runId, int fromSeq, int toSeq, IntConsumer heartbeat) {
    EvaluationRuns.Run run =
        runs.byId(runId).orElseThrow(() -> new IllegalStateException("no run " + runId));
    QueryPipeline pipeline = pipelineOf(run);
    int evaluated = 0;
    for (EvaluationQueries.PendingQuery query : queries.pending(runId, fromSeq, toSeq)) {
      long start = System.nanoTime();
      // Every query is embedded afresh, as a first-time caller's would be, so a repeated
      // evaluation reports the same latency.
      QueryPipeline.Retrieval result =
          pipeline.retrieve(run.target().collection(), query.text(), DEPTH, true);
      double latencyMs = (System.nanoTime() - start) / 1e6;
      List<String> ranked = rankedDocuments(result.candidates());
      queries.record(
          runId,
          new EvaluationQueries.QueryResult(
              query.id(),
              RankingMetrics.ndcg(ranked, query.relevant(), 10),
              RankingMetrics.mrr(ranked, query.relevant(), 10),
              RankingMetrics.recall(ranked, query.relevant(), 10),
              RankingMetrics.recall(ranked, query.relevant(), 100),
              latencyMs,
              ranked.subList(0, Math.min(TOP_IDS, ranked.size()))));
      evaluated++;
      heartbeat.accept(query.seq());
    }
    if (evaluated > 0) {
      runs.reportModelVersion(runId, pipeline.name());
    }
    return new BatchOutcome(queries.sums(runId, fromSeq, toSeq), evaluated);
  }

  /** Computes and stores the run's metrics; see {@link EvaluationStore#complete}. */
  public EvaluationRuns.Run complete(long runId) {
    return store.complete(runId);
  }

  /** Marks the run failed (or cancelled) with the reason, unless it already ended. */
  public void fail(long runId, boolean cancelled, String reason) {
    runs.fail(runId, cancelled, reason);
  }

  /** Chunks collapse to their documents, each ranked by its best chunk. */
  public static List<String> rankedDocuments(List<Candidate> hits) {
    Set<String> docs = new LinkedHashSet<>();
    for (Candidate hit : hits) {
      docs.add(hit.chunk().source());
    }
    return new ArrayList<>(docs);
  }

  /**
   * The pipeline a run measures, as it was chosen when the run started: its registered version's
   * bundle, or its index version with the retrieval settings it recorded.
   */
  QueryPipeline pipelineOf(EvaluationRuns.Run run) {
    return pipelineOf(runs, indexVersions, pipelines, run);
  }

  /** As {@link #pipelineOf(EvaluationRuns.Run)}, for the run's answer tier too. */
  static QueryPipeline pipelineOf(
      EvaluationRuns runs,
      IndexVersions indexVersions,
      QueryPipelines pipelines,
      EvaluationRuns.Run run) {
    return runs.registeredVersion(run.id())
        .map(pipelines::forRegistered)
        .orElseGet(
            () -> {
              int id = run.target().indexVersionId();
              IndexVersion version =
                  indexVersions
                      .byId(id)
                      .orElseThrow(() -> new IllegalStateException("no index version " + id));
              return pipelines.forIndex(version, runs.options(run.id()));
            });
  }

  /**
   * A registered version named {@code v3}, {@code 3} or {@code <collection>/v3}; empty otherwise.
   */
  private Optional<RegisteredVersion> registeredVersion(String collection, String name)
      throws InvalidEvaluationException {
    if (name == null) {
      return pipelines.championVersion(collection);
    }
    Optional<RegisteredVersion.Reference> reference = RegisteredVersion.Reference.parse(name);
    if (reference.isEmpty()) {
      return Optional.empty();
    }
    String named = reference.get().collection();
    if (named != null && !named.equals(collection)) {
      throw new InvalidEvaluationException(
          InvalidEvaluationException.Reason.UNKNOWN_MODEL_VERSION,
          name + " belongs to collection " + named + ", not " + collection);
    }
    int number = reference.get().version();
    Optional<RegisteredVersion> found = registry.find(collection, number);
    if (found.isEmpty()) {
      throw new InvalidEvaluationException(
          InvalidEvaluationException.Reason.UNKNOWN_MODEL_VERSION,
          "no model version "
              + RegisteredVersion.label(collection, number)
              + "; ./engram models list --collection "
              + collection
              + " shows them");
    }
    return found;
  }

  private QueryPipeline resolve(String collection, String name) throws InvalidEvaluationException {
    try {
      return name == null ? pipelines.champion(collection) : pipelines.forIndexVersion(name);
    } catch (UnknownResourceException | IllegalStateException e) {
      throw new InvalidEvaluationException(
          InvalidEvaluationException.Reason.UNKNOWN_MODEL_VERSION,
          name == null
              ? "there is no champion index version yet; start the worker"
              : e.getMessage());
    }
  }
}
