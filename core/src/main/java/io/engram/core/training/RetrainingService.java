package io.engram.core.training;

import io.engram.core.BuildInfo;
import io.engram.core.Hashing;
import io.engram.core.evaluation.BeirDataset;
import io.engram.core.evaluation.EvaluationRuns;
import io.engram.core.evaluation.QuerySplit;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.BlobStore;
import io.engram.core.ingestion.Documents;
import io.engram.core.querylog.Feedback;
import io.engram.core.querylog.QueryLog;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelBundle;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rerank.LinearReranker;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.tuning.Direction;
import io.engram.core.tuning.EarlyStopping;
import io.engram.core.tuning.MedianPruner;
import io.engram.core.tuning.Params;
import io.engram.core.tuning.SearchSpace;
import io.engram.core.tuning.Studies;
import io.engram.core.tuning.Study;
import io.engram.core.tuning.Trial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a retraining, each a plain method a Temporal activity calls: decide, check the
 * labelled set, search (a study of trials over the bundle's retrieval and reranker settings, each
 * scored on the fitting part in memory by a {@link TrialEvaluator}), register the best bundle, and
 * judge it against the champion with the quality gates.
 *
 * <p>Every step is safe to repeat: the study is found by its workflow id, a trial by its number, a
 * registration by its origin, and a judgement stores the same verdicts again.
 */
public final class RetrainingService {
  private static final Logger log = LoggerFactory.getLogger(RetrainingService.class);

  /** Reason of a run that has no labelled set to learn from and was not forced. */
  public static final String NO_LABELLED_SET = "no_labelled_set";

  /** The study's objective: mean NDCG@10 on the fitting part (cross-validated when trained). */
  public static final String OBJECTIVE = "ndcg@10 (fit, cross-validated)";

  /** Suffix of the eval set a version's objective on the fitting part is stored under. */
  public static final String FIT_VALIDATION = "/fit-validation";

  /** The best trials of the collection's previous study a new study tries first. */
  static final int WARM_START_TRIALS = 3;

  /** Fewest judged queries the fitting part must hold (a quarter of them validate). */
  static final int MIN_FIT_QUERIES = 40;

  /** Fewest judged queries the held-out part must hold. */
  static final int MIN_HELD_OUT_QUERIES = 10;

  /**
   * Most fitting queries that may repeat a held-out query's text, as a share of the held-out part;
   * fewer are left out of fitting, more mean the split is not a split.
   */
  static final double MAX_REPEATED_SHARE = 0.05;

  /** Most judged documents the collection may lack, as a share of those the qrels name. */
  static final double MAX_UNKNOWN_DOCUMENT_SHARE = 0.05;

  /** The partial evaluations of a trial the pruner looks at: thirds of the fitting queries. */
  static final int STEPS = 3;

  /** What a retraining searches in the {@code retrieval} space (the champion's vectors reused). */
  public static final SearchSpace SPACE =
      SearchSpace.of(
          SearchSpace.categorical("mode", "hybrid", "dense"),
          SearchSpace.uniform("denseWeight", 0.2, 0.95),
          SearchSpace.integer("candidates", 30, TrialEvaluator.MAX_CANDIDATES, 10),
          SearchSpace.categorical(
              "maxLexemeShare",
              TrialEvaluator.SHARES.stream().map(String::valueOf).toArray(String[]::new)),
          SearchSpace.categorical("reranker", "none", "champion", "trained"),
          SearchSpace.logUniform("l2", 1e-3, 10),
          SearchSpace.integer("negativeDepth", 10, 100, 10));

  /**
   * What a retraining was asked.
   *
   * @param labelled the labelled set given with the request; null to reuse the one the collection's
   *     newest version that records one was trained on
   */
  public record Ask(String collection, boolean forced, boolean drift, LabelledSet labelled) {}

  /**
   * The decision and what the rest of the run works on.
   *
   * @param labelled null when there is none (then {@code retrain} is false)
   * @param fingerprint the training data's fingerprint: corpus, queries and qrels
   * @param champion the serving version's number; null when the collection has none
   * @param indexVersionId the index version the search and the candidate work on; null for the
   *     champion's
   */
  public record Plan(
      boolean retrain,
      String reason,
      LabelledSet labelled,
      String fingerprint,
      Integer champion,
      Integer indexVersionId) {

    /** A plan on the champion's index. */
    public Plan(
        boolean retrain,
        String reason,
        LabelledSet labelled,
        String fingerprint,
        Integer champion) {
      this(retrain, reason, labelled, fingerprint, champion, null);
    }
  }

  /** How a trial ended: {@code state} is {@code complete}, {@code pruned} or {@code failed}. */
  public record TrialOutcome(
      int number, String state, Double value, double costSeconds, Double best) {}

  private final Jdbi jdbi;
  private final ModelRegistry registry;
  private final IndexVersions indexVersions;
  private final PgVectorChunkStore chunks;
  private final BlobStore blobs;
  private final EvaluationRuns evalRuns;
  private final Feedback feedback;
  private final Studies studies;
  private final TrainingSettings settings;
  private final Clock clock;
  private final TrialEvaluators evaluators = new TrialEvaluators();

  public RetrainingService(
      Jdbi jdbi,
      ModelRegistry registry,
      IndexVersions indexVersions,
      PgVectorChunkStore chunks,
      BlobStore blobs,
      EvaluationRuns evalRuns,
      TrainingSettings settings,
      Clock clock) {
    this.jdbi = jdbi;
    this.registry = registry;
    this.indexVersions = indexVersions;
    this.chunks = chunks;
    this.blobs = blobs;
    this.evalRuns = evalRuns;
    // Only counts feedback: it never waits for a query this process is still logging.
    this.feedback = new Feedback(jdbi, new QueryLog(jdbi));
    this.studies = new Studies(jdbi);
    this.settings = settings;
    this.clock = clock;
  }

  public TrainingSettings settings() {
    return settings;
  }

  public Studies studies() {
    return studies;
  }

  // ---------------------------------------------------------------------------------------------
  // Decide

  /** The collections that have a serving model, in name order: what a scheduled run asks. */
  public List<String> collections() {
    return registry.aliases().collectionsWith(ModelAliases.CHAMPION);
  }

  /**
   * Whether to retrain and why ({@link RetrainingPolicy}), with the labelled set and fingerprint
   * the run will use.
   *
   * @throws InvalidLabelledSetException when a forced run has no labelled set
   */
  public Plan decide(Ask ask) throws InvalidLabelledSetException {
    Optional<RegisteredVersion> champion = registry.alias(ask.collection(), ModelAliases.CHAMPION);
    LabelledSet labelled = ask.labelled() != null ? ask.labelled() : lastLabelledSet(ask);
    Integer championNumber = champion.map(RegisteredVersion::version).orElse(null);
    if (labelled == null) {
      if (ask.forced() || settings.force()) {
        throw new InvalidLabelledSetException(
            "collection '"
                + ask.collection()
                + "' has no labelled set to train on: give one with ./engram retrain --eval DIR"
                + " (a BEIR folder with queries.jsonl and qrels/<split>.tsv)");
      }
      return new Plan(false, NO_LABELLED_SET, null, null, championNumber);
    }
    String fingerprint = fingerprint(ask.collection(), labelled);
    List<RegisteredVersion> versions = registry.list(ask.collection());
    boolean alreadyTried =
        versions.stream()
            .filter(v -> fingerprint.equals(v.lineage().get("fingerprint")))
            .anyMatch(
                v ->
                    v.status().equals(RegisteredVersion.REJECTED)
                        || v.aliases().contains(ModelAliases.CHAMPION)
                        || v.aliases().contains(ModelAliases.STAGING));
    Double championNdcg = null;
    Double championNdcgNow = null;
    if (champion.isPresent()) {
      Map<String, Object> stored = champion.get().metrics().get(labelled.heldOutEvalSet());
      if (stored != null && stored.get("ndcgAt10") instanceof Number n) {
        championNdcg = n.doubleValue();
        Object storedRun = stored.get("evalRunId");
        Optional<EvaluationRuns.Run> latest =
            evalRuns.latestCompleted(
                champion.get().id(),
                labelled.dataset(),
                labelled.split(),
                QuerySplit.Part.HELD_OUT.wireName());
        if (latest.isPresent()
            && latest.get().metrics() != null
            && (storedRun == null || ((Number) storedRun).longValue() != latest.get().id())) {
          championNdcgNow = latest.get().metrics().ndcgAt10();
        }
      }
    }
    RetrainingPolicy.Facts facts =
        new RetrainingPolicy.Facts(
            ask.forced() || settings.force(),
            ask.drift(),
            champion.map(RegisteredVersion::createdAt).orElse(null),
            champion.map(v -> (String) v.lineage().get("fingerprint")).orElse(null),
            fingerprint,
            alreadyTried,
            championNdcg,
            championNdcgNow,
            champion.map(v -> feedback.since(ask.collection(), v.createdAt())).orElse(0L));
    RetrainingPolicy.Decision d =
        RetrainingPolicy.decide(facts, settings.triggers(), clock.instant());
    log.info("retraining {}: {} ({})", ask.collection(), d.retrain() ? "go" : "no", d.reason());
    return new Plan(d.retrain(), d.reason(), labelled, fingerprint, championNumber);
  }

  /** The labelled set of the collection's newest version that records one. */
  private LabelledSet lastLabelledSet(Ask ask) {
    for (RegisteredVersion v : registry.list(ask.collection())) {
      LabelledSet l = LabelledSet.fromLineage(v.lineage());
      if (l != null) {
        return l;
      }
    }
    return null;
  }

  /** SHA-256 over the corpus hash, the queries blob and the qrels blob. */
  public String fingerprint(String collection, LabelledSet labelled) {
    Documents.Corpus corpus = jdbi.withHandle(h -> Documents.corpus(h, collection));
    return Hashing.sha256(
        (corpus.hash() + "\n" + labelled.queriesBlob() + "\n" + labelled.qrelsBlob())
            .getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------------------------------------
  // Check the data

  /**
   * Checks that the labelled set can train and judge a model of the collection: both blobs stored
   * and well-formed, at least {@value #MIN_FIT_QUERIES} fitting and {@value #MIN_HELD_OUT_QUERIES}
   * held-out judged queries, the judged documents in the collection, and no query text in both
   * parts (a held-out query copied into the fitting part under another id would leak).
   *
   * @return a one-line summary of what was checked
   */
  public String check(String collection, LabelledSet labelled) throws InvalidLabelledSetException {
    List<String> missing = blobs.missing(List.of(labelled.queriesBlob(), labelled.qrelsBlob()));
    if (!missing.isEmpty()) {
      throw new InvalidLabelledSetException(
          "blob "
              + missing.get(0)
              + " of the labelled set is not stored; upload queries.jsonl and the qrels again"
              + " (./engram retrain --eval DIR does)");
    }
    List<BeirDataset.Query> all;
    try {
      all =
          BeirDataset.select(
                  read(labelled.queriesBlob()),
                  read(labelled.qrelsBlob()),
                  QuerySplit.Part.ALL,
                  null)
              .queries();
    } catch (BeirDataset.InvalidDatasetException e) {
      throw new InvalidLabelledSetException("the labelled set is malformed: " + e.getMessage());
    }
    List<BeirDataset.Query> fit = new ArrayList<>();
    List<BeirDataset.Query> heldOut = new ArrayList<>();
    for (BeirDataset.Query q : all) {
      (QuerySplit.isHeldOut(q.id()) ? heldOut : fit).add(q);
    }
    if (fit.size() < MIN_FIT_QUERIES || heldOut.size() < MIN_HELD_OUT_QUERIES) {
      throw new InvalidLabelledSetException(
          String.format(
              Locale.ROOT,
              "the labelled set is too small: %d fitting and %d held-out judged queries, at least"
                  + " %d and %d are needed; use a larger qrels split",
              fit.size(),
              heldOut.size(),
              MIN_FIT_QUERIES,
              MIN_HELD_OUT_QUERIES));
    }
    Set<String> judged = new TreeSet<>();
    for (BeirDataset.Query q : all) {
      judged.addAll(q.relevant().keySet());
    }
    Set<String> known = jdbi.withHandle(h -> Documents.known(h, collection, judged));
    int unknown = judged.size() - known.size();
    if (unknown > MAX_UNKNOWN_DOCUMENT_SHARE * judged.size()) {
      List<String> examples = judged.stream().filter(id -> !known.contains(id)).limit(3).toList();
      throw new InvalidLabelledSetException(
          String.format(
              Locale.ROOT,
              "%d of the %d documents the qrels judge are not in collection '%s' (e.g. %s): ingest"
                  + " the corpus the qrels belong to into it, or pick the right --collection",
              unknown,
              judged.size(),
              collection,
              String.join(", ", examples)));
    }
    List<BeirDataset.Query> repeats = repeatsOfHeldOut(fit, heldOut);
    if (repeats.size() > MAX_REPEATED_SHARE * heldOut.size()) {
      throw new InvalidLabelledSetException(
          repeats.size()
              + " fitting queries (e.g. "
              + String.join(", ", repeats.stream().limit(3).map(BeirDataset.Query::id).toList())
              + ") repeat the text of a held-out query under another id; remove the duplicates so"
              + " the held-out part judges unseen queries");
    }
    return String.format(
        Locale.ROOT,
        "%d fitting and %d held-out judged queries, %d of %d judged documents in the collection%s",
        fit.size() - repeats.size(),
        heldOut.size(),
        known.size(),
        judged.size(),
        repeats.isEmpty()
            ? ""
            : "; "
                + repeats.size()
                + " fitting queries that repeat a held-out one are left out of fitting");
  }

  /**
   * The fitting queries whose text (case and spacing aside) is also a held-out query's: fitting on
   * them would leak the held-out part, so they are left out (SciFact's train split has two such
   * pairs of claims).
   */
  static List<BeirDataset.Query> repeatsOfHeldOut(
      List<BeirDataset.Query> fit, List<BeirDataset.Query> heldOut) {
    Set<String> heldOutTexts = new HashSet<>();
    for (BeirDataset.Query q : heldOut) {
      heldOutTexts.add(normalise(q.text()));
    }
    return fit.stream().filter(q -> heldOutTexts.contains(normalise(q.text()))).toList();
  }

  /** The labelled set's fitting queries, without those that repeat a held-out query. */
  private List<BeirDataset.Query> fitting(LabelledSet labelled) {
    List<BeirDataset.Query> fit = new ArrayList<>();
    List<BeirDataset.Query> heldOut = new ArrayList<>();
    try {
      for (BeirDataset.Query q :
          BeirDataset.select(
                  read(labelled.queriesBlob()),
                  read(labelled.qrelsBlob()),
                  QuerySplit.Part.ALL,
                  null)
              .queries()) {
        (QuerySplit.isHeldOut(q.id()) ? heldOut : fit).add(q);
      }
    } catch (BeirDataset.InvalidDatasetException e) {
      throw new IllegalStateException("the labelled set was checked: " + e.getMessage(), e);
    }
    fit.removeAll(repeatsOfHeldOut(fit, heldOut));
    return fit;
  }

  private static String normalise(String text) {
    return text.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
  }

  private byte[] read(String blob) {
    try {
      return blobs.read(blob);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read blob " + blob, e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Search

  /**
   * What a retraining run's study is stored under: the run, not the workflow id alone, because
   * every retraining of a collection has the same workflow id and a later run would otherwise find
   * the finished study of an earlier one. A retried activity has the same run.
   */
  public static String studyKey(String workflowId, String runId) {
    return workflowId + "/" + runId;
  }

  /**
   * Creates the study of the retraining run {@code run} (a {@link #studyKey}), or finds it for a
   * retried activity: TPE with the median pruner, seeded by the run, trying the champion's own
   * settings first and then the best trials of the collection's previous study.
   */
  public long createStudy(String collection, String run, Integer champion) {
    // One retraining of a collection runs at a time, so a study of it still running under another
    // run belongs to a run that ended without finishing it (terminated, timed out).
    int abandoned =
        studies.abandonRunning(
            collection,
            run,
            "abandoned: its retraining run ended before the search did; found by run " + run);
    if (abandoned > 0) {
      log.info(
          "{} study(ies) of {} left running by an ended run marked failed", abandoned, collection);
    }
    Params championParams =
        champion == null
            ? null
            : SPACE.validatePartial(
                typed(
                    settingsOf(registry.find(collection, champion).orElseThrow().bundle())
                        .toMap()));
    Study study =
        studies.create(
            new Studies.NewStudy(
                collection,
                run,
                Direction.MAXIMIZE,
                SPACE,
                Studies.Strategy.tpe(run.hashCode()).withPruner(MedianPruner.defaults()),
                new Studies.Start(
                    championParams == null ? List.of() : List.of(championParams),
                    WARM_START_TRIALS)));
    return study.id();
  }

  /**
   * Runs trial {@code number} of the study: asks its parameters, scores them on growing prefixes of
   * the fitting queries (a third, two thirds, all), reporting each so the pruner can stop a bad
   * trial early, and tells the outcome. A trial already finished (a retried activity) is returned
   * as stored, never run twice.
   *
   * @param progress told about the work (queries prepared, steps scored) so the caller heartbeats
   */
  public TrialOutcome runTrial(
      long studyId,
      int number,
      String collection,
      LabelledSet labelled,
      Integer indexVersionId,
      IntConsumer progress) {
    Study study = studies.byId(studyId).orElseThrow();
    Trial trial = study.ask(number);
    if (trial.state().finished()) {
      return outcome(study, trial);
    }
    long start = System.nanoTime();
    TrialEvaluator evaluator = evaluator(collection, labelled, indexVersionId, progress);
    TrialEvaluator.Settings params = TrialEvaluator.Settings.of(trial.params().values());
    int n = evaluator.size();
    double value = 0;
    for (int step = 1; step <= STEPS; step++) {
      value = evaluator.score(params, (int) Math.ceil(n * (double) step / STEPS));
      progress.accept(step);
      study.report(number, step, value);
      if (step < STEPS && study.shouldPrune(number, step)) {
        Trial pruned = study.tell(number, Study.Outcome.pruned(seconds(start)));
        return outcome(study, pruned);
      }
    }
    Trial done = study.tell(number, Study.Outcome.complete(value, seconds(start)));
    return outcome(study, done);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static TrialOutcome outcome(Study study, Trial t) {
    return new TrialOutcome(
        t.number(),
        t.state().stored(),
        t.value(),
        t.costSeconds(),
        study.best().map(Trial::value).orElse(null));
  }

  /** Early stopping over the study's trials after {@code elapsed} of search. */
  public EarlyStopping.Verdict shouldStop(long studyId, Duration elapsed) {
    Study study = studies.byId(studyId).orElseThrow();
    // The study stays open: a trial started before this verdict may not have asked yet.
    return study.check(EarlyStopping.of(settings.search()), elapsed);
  }

  /**
   * The evaluator of {@code labelled} on index version {@code indexVersionId} (null: the
   * champion's), prepared once per worker (the legs of every fitting query fetched from PostgreSQL)
   * and shared by its trials.
   */
  private TrialEvaluator evaluator(
      String collection, LabelledSet labelled, Integer indexVersionId, IntConsumer progress) {
    RegisteredVersion champion =
        registry
            .alias(collection, ModelAliases.CHAMPION)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "collection '" + collection + "' has no champion to search from"));
    IndexVersion index = searchedIndex(champion, indexVersionId);
    TrialEvaluators.Key key =
        new TrialEvaluators.Key(
            index.id(), labelled.queriesBlob(), labelled.qrelsBlob(), champion.id());
    return evaluators.get(
        key,
        () -> {
          List<BeirDataset.Query> fit = fitting(labelled);
          return TrialEvaluator.prepare(
              chunks,
              index,
              collection,
              fit,
              Rerankers.create(champion.bundle().reranker(), registry::artifact),
              progress);
        },
        progress);
  }

  /** Index version {@code id}, or the champion's when null. */
  private IndexVersion searchedIndex(RegisteredVersion champion, Integer id) {
    int wanted = id == null ? champion.indexVersionId() : id;
    return indexVersions
        .byId(wanted)
        .orElseThrow(() -> new IllegalStateException("no index version " + wanted));
  }

  // ---------------------------------------------------------------------------------------------
  // Register

  /**
   * Registers the candidate: the study's best trial (or, without a study, the champion's settings
   * with {@code pinned} over them), its trained reranker refitted on every fitting query and stored
   * as an artifact, with lineage and its fitting-part figure. No alias points at it until judged.
   *
   * @param origin the workflow run registering it: a retried registration returns the first
   * @throws InvalidLabelledSetException when the search completed no trial, or {@code pinned} names
   *     parameters outside the search space
   */
  public RegisteredVersion register(
      String collection,
      Plan plan,
      Long studyId,
      Map<String, String> pinned,
      String origin,
      String workflowId)
      throws InvalidLabelledSetException {
    RegisteredVersion champion = registry.alias(collection, ModelAliases.CHAMPION).orElseThrow();
    Map<String, Object> chosen = settingsOf(champion.bundle()).toMap();
    Double fitValue = null;
    if (studyId != null) {
      Study study = studies.byId(studyId).orElseThrow();
      Trial best =
          study
              .best()
              .orElseThrow(
                  () ->
                      new InvalidLabelledSetException(
                          "the search completed no trial (all were pruned or failed); see study "
                              + studyId));
      chosen.putAll(best.params().values());
      fitValue = best.value();
      study.finish("best trial " + best.number() + " registered");
    } else {
      try {
        chosen.putAll(SPACE.parsePartial(pinned).values());
      } catch (IllegalArgumentException e) {
        throw new InvalidLabelledSetException(
            "--params: " + e.getMessage() + "; the parameters are " + SPACE.names());
      }
    }
    TrialEvaluator.Settings params = TrialEvaluator.Settings.of(chosen);
    TrialEvaluator evaluator =
        evaluator(collection, plan.labelled(), plan.indexVersionId(), i -> {});
    if (fitValue == null) {
      fitValue = evaluator.score(params, Integer.MAX_VALUE);
    }
    List<RegisteredVersion.Artifact> artifacts = new ArrayList<>();
    RerankerSettings reranker =
        switch (params.reranker()) {
          case NONE -> RerankerSettings.none();
          case CHAMPION -> champion.bundle().reranker();
          case TRAINED -> {
            LinearReranker model =
                evaluator.finalReranker(
                    params,
                    "linear-" + collection + "-" + workflowId,
                    Map.of(
                        TrialEvaluator.HYPER_PARAMETERS,
                        Map.of("l2", params.l2(), "negativeDepth", params.negativeDepth()),
                        "queries",
                        evaluator.size(),
                        "part",
                        "FIT",
                        "labelledSet",
                        plan.labelled().heldOutEvalSet().replace("/held-out", "")));
            RegisteredVersion.Artifact a =
                registry.storeArtifact("reranker", model.toJson().getBytes(StandardCharsets.UTF_8));
            artifacts.add(a);
            yield RerankerSettings.bundledLinear().withArtifact(a.sha256());
          }
        };
    if (params.reranker() == TrialEvaluator.RerankerChoice.CHAMPION) {
      champion.artifacts().stream()
          .filter(a -> a.name().equals("reranker"))
          .forEach(artifacts::add);
    }
    RetrievalSettings retrieval = params.retrieval();
    IndexVersion index = searchedIndex(champion, plan.indexVersionId());
    Map<String, Object> lineage = new LinkedHashMap<>(plan.labelled().lineage());
    lineage.put("fingerprint", plan.fingerprint());
    lineage.put("corpusHash", jdbi.withHandle(h -> Documents.corpus(h, collection)).hash());
    lineage.put("qrelsHash", plan.labelled().qrelsBlob());
    lineage.put("parentVersion", champion.version());
    if (studyId != null) {
      lineage.put("studyId", studyId);
    }
    lineage.put("indexVersion", index.name());
    lineage.put("params", params.toMap());
    lineage.put("workflowId", workflowId);
    lineage.put("codeCommit", BuildInfo.commit());
    Map<String, Map<String, Object>> metrics = new LinkedHashMap<>();
    metrics.put(
        plan.labelled().dataset() + "/" + plan.labelled().split() + FIT_VALIDATION,
        Map.of("ndcgAt10", fitValue));
    RegisteredVersion v =
        registry.register(
            ModelVersions.NewVersion.builder(
                    collection,
                    index.id(),
                    new ModelBundle(retrieval, reranker, champion.bundle().answerModel()))
                .artifacts(artifacts)
                .metrics(metrics)
                .lineage(lineage)
                .createdBy("retraining")
                .reason(plan.reason())
                .origin(origin)
                .build(),
            List.of(),
            new ModelRegistry.Change("retraining", plan.reason(), workflowId));
    log.info("registered {} ({}) from {}", v.label(), params.toMap(), origin);
    return v;
  }

  /**
   * {@code values} with each value given the type its parameter takes: numbers from text (pinned on
   * a command line), text from numbers (a lexeme share is one of a list of choices).
   */
  static Map<String, Object> typed(Map<String, ?> values) {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach(
        (name, value) -> {
          Optional<SearchSpace.Param> p = SPACE.param(name);
          Object v = value;
          if (p.isPresent() && value instanceof String text && !text.isBlank()) {
            if (p.get() instanceof SearchSpace.FloatParam
                || p.get() instanceof SearchSpace.IntParam) {
              try {
                v = Double.parseDouble(text.strip());
              } catch (NumberFormatException e) {
                v = text; // refused by the space with the parameter's range
              }
            }
          } else if (p.isPresent()
              && p.get() instanceof SearchSpace.CategoricalParam
              && value instanceof Number n) {
            v = String.valueOf(n.doubleValue());
          }
          out.put(name, v);
        });
    return out;
  }

  /** The trial settings a bundle corresponds to. */
  static TrialEvaluator.Settings settingsOf(ModelBundle bundle) {
    RetrievalSettings r = bundle.retrieval();
    double share = nearest(r.maxLexemeShare());
    return new TrialEvaluator.Settings(
        r.mode(),
        r.denseWeight(),
        Math.max(30, Math.min(TrialEvaluator.MAX_CANDIDATES, r.candidates())),
        share,
        r.rerank() && bundle.reranker().kind() != Rerankers.Kind.NONE
            ? TrialEvaluator.RerankerChoice.CHAMPION
            : TrialEvaluator.RerankerChoice.NONE,
        1.0,
        50);
  }

  private static double nearest(double share) {
    double best = TrialEvaluator.SHARES.get(0);
    for (double s : TrialEvaluator.SHARES) {
      if (Math.abs(s - share) < Math.abs(best - share)) {
        best = s;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------------------------------------
  // Judge

  /**
   * The evaluation runs of one eval set a candidate is judged on.
   *
   * @param candidateRun the candidate's run
   * @param championRun the champion's run of the same queries; null when there is no champion
   */
  public record EvalRuns(long candidateRun, Long championRun) {}

  /**
   * The eval sets of other labelled sets than {@code labelled} that champion {@code champion} has
   * stored figures for (a part of {@code labelled} other than the held-out one holds queries the
   * candidate was fitted on), each as the completed run those figures came from, whose judged
   * queries the candidate and the champion are then both evaluated on (the gates compare every
   * stored eval set, DESIGN §7). A figure without a readable run (e.g. one a migration wrote) is
   * left out and logged. Empty without a champion.
   */
  public List<EvaluationRuns.Run> storedEvalSets(
      String collection, Integer champion, LabelledSet labelled) {
    if (champion == null) {
      return List.of();
    }
    RegisteredVersion theirs = registry.find(collection, champion).orElseThrow();
    List<EvaluationRuns.Run> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> e : new TreeMap<>(theirs.metrics()).entrySet()) {
      String set = e.getKey();
      // Any other part of this retraining's own labelled set holds queries the candidate was
      // fitted on: comparing there would favour it. Its held-out part is measured anyway.
      if (set.endsWith(FIT_VALIDATION)
          || set.startsWith(labelled.dataset() + "/" + labelled.split() + "/")) {
        continue;
      }
      Optional<EvaluationRuns.Run> run =
          e.getValue().get("evalRunId") instanceof Number n
              ? evalRuns.byId(n.longValue())
              : Optional.empty();
      if (run.isEmpty()
          || run.get().metrics() == null
          || !run.get().evalSet().key().equals(set)
          || !run.get().target().collection().equals(collection)) {
        log.warn(
            "{}: {}'s figures on {} have no completed run of that set to measure again;"
                + " the gates skip it",
            collection,
            theirs.label(),
            set);
        continue;
      }
      out.add(run.get());
    }
    return out;
  }

  /**
   * Stores the figures of the candidate's and the champion's evaluation runs under their eval sets
   * (the held-out part of {@code labelled} and every other stored set of the champion), judges the
   * gates on every eval set both have figures for, and stages or rejects the candidate.
   *
   * @param runs one entry per eval set measured, the held-out part of {@code labelled} among them
   */
  public RegisteredVersion judge(
      String collection,
      int candidate,
      Integer champion,
      LabelledSet labelled,
      List<EvalRuns> runs,
      String workflowId) {
    String primary = labelled.heldOutEvalSet();
    RegisteredVersion mine = registry.find(collection, candidate).orElseThrow();
    RegisteredVersion theirs =
        champion == null ? null : registry.find(collection, champion).orElseThrow();
    for (EvalRuns r : runs) {
      EvaluationRuns.Run run = completedRun(r.candidateRun());
      registry.versions().putMetrics(mine.id(), run.evalSet().key(), figures(run));
      if (theirs != null && r.championRun() != null) {
        EvaluationRuns.Run their = completedRun(r.championRun());
        registry.versions().putMetrics(theirs.id(), their.evalSet().key(), figures(their));
      }
    }
    mine = registry.find(collection, candidate).orElseThrow();
    theirs = champion == null ? null : registry.find(collection, champion).orElseThrow();
    List<Gates.Verdict> verdicts =
        new ArrayList<>(
            Gates.judge(
                gateFigures(mine),
                theirs == null ? null : gateFigures(theirs),
                primary,
                settings.gates()));
    verdicts.add(
        Gates.sameChampion(
            champion,
            registry
                .alias(collection, ModelAliases.CHAMPION)
                .map(RegisteredVersion::version)
                .orElse(null)));
    List<RegisteredVersion.Gate> gates =
        verdicts.stream()
            .map(g -> new RegisteredVersion.Gate(g.name(), g.passed(), g.reason()))
            .toList();
    RegisteredVersion judged =
        registry.judge(
            collection,
            candidate,
            gates,
            new ModelRegistry.Change(
                "retraining",
                Gates.passed(verdicts) ? "passed every gate" : "failed the gates",
                workflowId));
    log.info(
        "{}: {} ({})",
        judged.label(),
        judged.status().equals(RegisteredVersion.REJECTED) ? "rejected" : "staged",
        gates.stream().filter(g -> !g.passed()).map(RegisteredVersion.Gate::reason).toList());
    return judged;
  }

  private EvaluationRuns.Run completedRun(long runId) {
    EvaluationRuns.Run run =
        evalRuns
            .byId(runId)
            .orElseThrow(() -> new IllegalStateException("no evaluation run " + runId));
    if (run.metrics() == null) {
      throw new IllegalStateException("evaluation run " + runId + " has not completed");
    }
    return run;
  }

  private static Map<String, Object> figures(EvaluationRuns.Run run) {
    EvaluationRuns.Metrics metrics = run.metrics();
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("ndcgAt10", metrics.ndcgAt10());
    f.put("mrrAt10", metrics.mrrAt10());
    f.put("recallAt10", metrics.recallAt10());
    f.put("recallAt100", metrics.recallAt100());
    f.put("p50Ms", metrics.p50Ms());
    f.put("p95Ms", metrics.p95Ms());
    f.put("queries", run.queryCount());
    f.put("evalRunId", run.id());
    return f;
  }

  private static Gates.Figures gateFigures(RegisteredVersion v) {
    Map<String, Double> ndcg = new LinkedHashMap<>();
    Map<String, Double> recall = new LinkedHashMap<>();
    Map<String, Double> p95 = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Object>> e : v.metrics().entrySet()) {
      if (e.getKey().endsWith(FIT_VALIDATION)) {
        continue; // chosen on it: not an independent figure
      }
      put(ndcg, e.getKey(), e.getValue().get("ndcgAt10"));
      put(recall, e.getKey(), e.getValue().get("recallAt100"));
      put(p95, e.getKey(), e.getValue().get("p95Ms"));
    }
    return new Gates.Figures(ndcg, recall, p95);
  }

  private static void put(Map<String, Double> into, String key, Object value) {
    if (value instanceof Number n) {
      into.put(key, n.doubleValue());
    }
  }
}
