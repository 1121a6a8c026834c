package io.engram.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.evaluation.EvaluationRuns;
import io.engram.core.evaluation.EvaluationService;
import io.engram.core.evaluation.QuerySplit;
import io.engram.core.index.IndexVersion;
import io.engram.core.query.ExchangeListener;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rerank.Rerankers;
import io.engram.core.tuning.Direction;
import io.engram.core.tuning.Params;
import io.engram.core.tuning.Studies;
import io.engram.core.tuning.Study;
import io.engram.core.tuning.Trial;
import io.engram.core.tuning.TrialState;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.engram.testing.ZooCorpus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A retraining's steps on real PostgreSQL with a real embedding model, in the order the workflow
 * runs them, over a small corpus (one passage per animal) and a labelled set asking where each
 * lives: the decision's reasons, the data checks, a study whose trials are idempotent, a
 * registration with lineage and artifact, the gates on real held-out evaluations, and the decisions
 * that follow (nothing new to try; the corpus changed).
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetrainingServiceIT {
  private static final String COLLECTION = "zoo";
  private CoreServices core;
  private RetrainingService service;
  private EvaluationService evaluations;
  private IndexVersion index;
  private LabelledSet labelled;
  private String fingerprint;
  private long studyId;
  private RegisteredVersion searched;

  @BeforeAll
  void setUp() {
    String db = EngramServicesExtension.postgres().createDatabase("retraining_service_it");
    core = CoreServices.open(EngramSettings.of(TestSettings.values(db, Map.of())), "it", 4);
    index = core.champion();
    ZooCorpus.index(core, COLLECTION);
    service = core.retraining();
    evaluations =
        new EvaluationService(
            core.jdbi(),
            core.evaluations(),
            core.indexVersions(),
            core.collections(),
            core.blobs(),
            core.queryPipelines(new SimpleMeterRegistry(), ExchangeListener.NONE),
            core.registry());
    labelled = ZooCorpus.labelled(core);
  }

  @AfterAll
  void tearDown() {
    core.close();
  }

  private RetrainingService withGates(double minImprovement, double epsilon) {
    TrainingSettings s = core.settings().training();
    return new RetrainingService(
        core.jdbi(),
        core.registry(),
        core.indexVersions(),
        core.chunks(),
        core.blobs(),
        core.evaluations().runs(),
        new TrainingSettings(
            s.search(),
            s.triggers(),
            new TrainingSettings.Gates(0.3, epsilon, minImprovement, 10_000),
            s.drift(),
            s.retrainSchedule(),
            s.driftSchedule(),
            s.retentionSchedule(),
            s.force()),
        Clock.systemUTC());
  }

  /** Evaluates {@code version} on the held-out part as the evaluation workflow would. */
  private long heldOutRun(int version, String workflowId) throws Exception {
    return run(version, workflowId, QuerySplit.Part.HELD_OUT);
  }

  /** Evaluates {@code version} on {@code part} of the labelled set. */
  private long run(int version, String workflowId, QuerySplit.Part part) throws Exception {
    EvaluationService.Plan plan =
        evaluations.prepare(
            new EvaluationService.Request(
                workflowId,
                labelled.dataset(),
                labelled.split(),
                part,
                COLLECTION,
                "v" + version,
                EvaluationService.Queries.uploaded(labelled.queriesBlob(), labelled.qrelsBlob()),
                null),
            () -> {});
    evaluations.evaluate(plan.runId(), 0, plan.queries(), i -> {});
    return evaluations.complete(plan.runId()).id();
  }

  @Test
  @Order(1)
  void without_a_labelled_set_there_is_nothing_to_do_unless_forced() throws Exception {
    RetrainingService.Plan plan =
        service.decide(new RetrainingService.Ask(COLLECTION, false, false, null));
    assertThat(plan.retrain()).isFalse();
    assertThat(plan.reason()).isEqualTo(RetrainingService.NO_LABELLED_SET);
    assertThat(plan.champion()).isEqualTo(1);

    assertThatThrownBy(
            () -> service.decide(new RetrainingService.Ask(COLLECTION, true, false, null)))
        .isInstanceOf(InvalidLabelledSetException.class)
        .hasMessageContaining("--eval DIR");
  }

  @Test
  @Order(2)
  void the_data_check_names_what_is_wrong() throws Exception {
    LabelledSet tiny = ZooCorpus.labelled(core, "tiny", 8, i -> "where is " + ZooCorpus.ANIMALS[i]);
    assertThatThrownBy(() -> service.check(COLLECTION, tiny))
        .isInstanceOf(InvalidLabelledSetException.class)
        .hasMessageContaining("too small");

    LabelledSet judged =
        ZooCorpus.labelled(core, "foreign", ZooCorpus.ANIMALS.length, i -> "query " + i);
    String otherDocuments =
        new String(core.blobs().read(judged.qrelsBlob()), StandardCharsets.UTF_8)
            .replace("\ta", "\tb");
    LabelledSet foreign =
        new LabelledSet(
            "foreign", "train", judged.queriesBlob(), ZooCorpus.store(core, otherDocuments));
    assertThatThrownBy(() -> service.check(COLLECTION, foreign))
        .isInstanceOf(InvalidLabelledSetException.class)
        .hasMessageContaining("are not in collection 'zoo'");

    LabelledSet leaky =
        ZooCorpus.labelled(core, "leaky", ZooCorpus.ANIMALS.length, i -> "same question");
    assertThatThrownBy(() -> service.check(COLLECTION, leaky))
        .isInstanceOf(InvalidLabelledSetException.class)
        .hasMessageContaining("repeat the text of a held-out query");

    assertThat(service.check(COLLECTION, labelled))
        .contains("judged queries")
        .contains(
            ZooCorpus.ANIMALS.length + " of " + ZooCorpus.ANIMALS.length + " judged documents");
  }

  @Test
  @Order(3)
  void a_migrated_champion_is_retrained_because_its_data_is_unknown() throws Exception {
    RetrainingService.Plan plan =
        service.decide(new RetrainingService.Ask(COLLECTION, false, false, labelled));

    assertThat(plan.retrain()).isTrue();
    assertThat(plan.reason()).isEqualTo(RetrainingPolicy.DATA_CHANGED);
    assertThat(plan.fingerprint()).hasSize(64);
    fingerprint = plan.fingerprint();
  }

  @Test
  @Order(4)
  void a_study_starts_from_the_champion_and_a_retried_trial_is_not_run_twice() {
    studyId = service.createStudy(COLLECTION, "retrain-zoo-it", 1);
    assertThat(service.createStudy(COLLECTION, "retrain-zoo-it", 1)).isEqualTo(studyId);

    RetrainingService.TrialOutcome first =
        service.runTrial(studyId, 0, COLLECTION, labelled, null, i -> {});
    RetrainingService.TrialOutcome again =
        service.runTrial(studyId, 0, COLLECTION, labelled, null, i -> {});

    assertThat(again).isEqualTo(first);
    Study study = service.studies().byId(studyId).orElseThrow();
    assertThat(study.trials()).hasSize(1);
    Trial zero = study.trials().get(0);
    // Trial 0 is the champion's own settings, so the search starts from what serves.
    assertThat(zero.params().getString("reranker")).isEqualTo("champion");
    assertThat(zero.params().getString("mode")).isEqualTo("hybrid");
    assertThat(first.value()).isBetween(0.5, 1.0);
  }

  @Test
  @Order(5)
  void the_best_trial_is_registered_with_its_lineage_once_per_origin() throws Exception {
    for (int n = 1; n < 5; n++) {
      service.runTrial(studyId, n, COLLECTION, labelled, null, i -> {});
    }
    Trial best = service.studies().byId(studyId).orElseThrow().best().orElseThrow();
    RetrainingService.Plan plan =
        new RetrainingService.Plan(true, "data_changed", labelled, fingerprint, 1);

    searched =
        service.register(
            COLLECTION, plan, studyId, Map.of(), "retrain-zoo-it/run-1", "retrain-zoo-it");
    RegisteredVersion again =
        service.register(
            COLLECTION, plan, studyId, Map.of(), "retrain-zoo-it/run-1", "retrain-zoo-it");

    assertThat(again.id()).isEqualTo(searched.id());
    assertThat(searched.version()).isEqualTo(2);
    assertThat(searched.aliases()).isEmpty();
    assertThat(searched.lineage())
        .containsEntry("fingerprint", fingerprint)
        .containsEntry("studyId", (int) studyId)
        .containsEntry("parentVersion", 1)
        .containsEntry("queriesBlob", labelled.queriesBlob())
        .containsKeys("codeCommit", "corpusHash", "indexVersion", "params");
    assertThat(searched.metrics().get("zoo/train" + RetrainingService.FIT_VALIDATION))
        .containsEntry("ndcgAt10", best.value());
    assertThat(searched.bundle().retrieval().mode().name().toLowerCase(Locale.ROOT))
        .isEqualTo(best.params().getString("mode"));
    if (best.params().getString("reranker").equals("trained")) {
      assertThat(searched.artifacts())
          .singleElement()
          .satisfies(a -> assertThat(a.size()).isPositive());
      assertThat(core.registry().artifact(searched.bundle().reranker().artifact())).isNotEmpty();
    }
  }

  @Test
  @Order(6)
  void pinned_parameters_that_are_not_in_the_space_are_refused() {
    RetrainingService.Plan plan =
        new RetrainingService.Plan(true, "force", labelled, fingerprint, 1);
    assertThatThrownBy(
            () ->
                service.register(COLLECTION, plan, null, Map.of("temperature", "2"), "o-x", "w-x"))
        .isInstanceOf(InvalidLabelledSetException.class)
        .hasMessageContaining("temperature");
    assertThatThrownBy(
            () -> service.register(COLLECTION, plan, null, Map.of("mode", "sparse"), "o-y", "w-y"))
        .isInstanceOf(InvalidLabelledSetException.class)
        .hasMessageContaining("mode");
  }

  @Test
  @Order(7)
  void a_pinned_configuration_that_does_not_improve_is_rejected_and_the_champion_kept()
      throws Exception {
    RetrainingService.Plan plan =
        new RetrainingService.Plan(true, "force", labelled, fingerprint, 1);
    RegisteredVersion pinned =
        service.register(
            COLLECTION,
            plan,
            null,
            Map.of("mode", "dense", "reranker", "none", "candidates", "30"),
            "retrain-zoo-pinned/run-1",
            "retrain-zoo-pinned");
    assertThat(pinned.bundle().reranker().kind()).isEqualTo(Rerankers.Kind.NONE);
    assertThat(pinned.bundle().retrieval().candidates()).isEqualTo(30);

    long mine = heldOutRun(pinned.version(), "eval-pinned");
    long theirs = heldOutRun(1, "eval-champion-1");
    // Asking for more than NDCG@10 can give: this gate cannot pass.
    RegisteredVersion judged =
        withGates(1.5, 0.005)
            .judge(
                COLLECTION,
                pinned.version(),
                1,
                labelled,
                List.of(new RetrainingService.EvalRuns(mine, theirs)),
                "retrain-zoo-pinned");

    assertThat(judged.status()).isEqualTo(RegisteredVersion.REJECTED);
    assertThat(judged.aliases()).isEmpty();
    assertThat(judged.gates())
        .extracting(RegisteredVersion.Gate::name)
        .containsExactly(
            Gates.FLOOR,
            Gates.NOT_WORSE,
            Gates.IMPROVEMENT,
            Gates.RECALL,
            Gates.LATENCY,
            Gates.SAME_CHAMPION);
    assertThat(judged.gates())
        .filteredOn(g -> g.name().equals(Gates.IMPROVEMENT))
        .singleElement()
        .satisfies(g -> assertThat(g.passed()).isFalse());
    assertThat(judged.metrics().get(labelled.heldOutEvalSet()))
        .containsKeys("ndcgAt10", "recallAt100", "p95Ms", "evalRunId");
    assertThat(core.registry().alias(COLLECTION, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(1);
    // The champion's fresh held-out figures are stored with it too.
    assertThat(core.registry().find(COLLECTION, 1).orElseThrow().metrics())
        .containsKey(labelled.heldOutEvalSet());
  }

  @Test
  @Order(8)
  void a_candidate_that_passes_is_staged_and_then_there_is_nothing_new_to_try() throws Exception {
    // The champion's figures on the whole labelled set come from a run of their own, so the
    // candidate is measured there too, on that run's queries.
    long theirsAll = run(1, "eval-champion-all", QuerySplit.Part.ALL);
    RetrainingService.EvalRuns all =
        new RetrainingService.EvalRuns(
            run(searched.version(), "eval-searched-all", QuerySplit.Part.ALL), theirsAll);
    long mine = heldOutRun(searched.version(), "eval-searched");
    long theirs = heldOutRun(1, "eval-champion-2");
    RegisteredVersion judged =
        withGates(-1, 1)
            .judge(
                COLLECTION,
                searched.version(),
                1,
                labelled,
                List.of(new RetrainingService.EvalRuns(mine, theirs), all),
                "retrain-zoo-it");

    assertThat(judged.status()).isEqualTo(RegisteredVersion.REGISTERED);
    assertThat(judged.aliases()).containsExactly(ModelAliases.STAGING);
    assertThat(judged.gates()).allMatch(RegisteredVersion.Gate::passed);
    String wholeSet = labelled.dataset() + "/" + labelled.split() + "/all";
    assertThat(judged.metrics()).containsKeys(labelled.heldOutEvalSet(), wholeSet);
    assertThat(judged.gates())
        .filteredOn(g -> g.name().equals(Gates.NOT_WORSE))
        .singleElement()
        .satisfies(g -> assertThat(g.reason()).contains("on 2 eval set(s)"));
    // The champion's figures on both are stored; a later retraining on the held-out part finds
    // the whole set as the champion's other stored eval set, with the run to measure again.
    Object stored =
        core.registry().find(COLLECTION, 1).orElseThrow().metrics().get(wholeSet).get("evalRunId");
    assertThat(((Number) stored).longValue()).isEqualTo(theirsAll);
    // A later retraining on another labelled set measures the whole set again; one on this set
    // does not (its queries include the ones the candidate was fitted on).
    LabelledSet another =
        new LabelledSet("another", labelled.split(), labelled.queriesBlob(), labelled.qrelsBlob());
    assertThat(service.storedEvalSets(COLLECTION, 1, another))
        .extracting(EvaluationRuns.Run::id)
        .containsExactlyInAnyOrder(theirsAll, theirs);
    assertThat(service.storedEvalSets(COLLECTION, 1, labelled)).isEmpty();
    assertThat(service.storedEvalSets(COLLECTION, null, labelled)).isEmpty();
    assertThat(core.registry().alias(COLLECTION, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(1);

    // Without a labelled set given, the staged version's is reused; its data is unchanged.
    RetrainingService.Plan plan =
        service.decide(new RetrainingService.Ask(COLLECTION, false, false, null));
    assertThat(plan.retrain()).isFalse();
    assertThat(plan.reason()).isEqualTo(RetrainingPolicy.STILL_VALID);
    assertThat(plan.labelled()).isEqualTo(labelled);
    assertThat(plan.fingerprint()).isEqualTo(fingerprint);
  }

  @Test
  @Order(9)
  void adding_documents_changes_the_fingerprint() throws Exception {
    ZooCorpus.add(
        core, COLLECTION, "extra", "The quokka is found on small islands, where it rests all day.");

    RetrainingService.Plan plan =
        service.decide(new RetrainingService.Ask(COLLECTION, false, false, null));

    assertThat(plan.retrain()).isTrue();
    assertThat(plan.reason()).isEqualTo(RetrainingPolicy.DATA_CHANGED);
    assertThat(plan.fingerprint()).isNotEqualTo(fingerprint);
  }

  @Test
  @Order(10)
  void forcing_always_retrains() throws Exception {
    RetrainingService.Plan plan =
        service.decide(new RetrainingService.Ask(COLLECTION, true, false, null));
    assertThat(plan.retrain()).isTrue();
    assertThat(plan.reason()).isEqualTo(RetrainingPolicy.FORCE);
  }

  @Test
  @Order(11)
  void a_trial_below_the_median_of_the_trials_before_it_is_pruned_at_its_first_step() {
    List<Params> pinned = new ArrayList<>();
    Map<String, Object> good =
        RetrainingService.typed(
            RetrainingService.settingsOf(core.registry().find(COLLECTION, 1).orElseThrow().bundle())
                .toMap());
    for (int i = 0; i < 5; i++) {
      pinned.add(RetrainingService.SPACE.validatePartial(good));
    }
    Map<String, Object> bad = new HashMap<>(good);
    bad.putAll(
        RetrainingService.typed(Map.of("mode", "dense", "reranker", "none", "candidates", "30")));
    pinned.add(RetrainingService.SPACE.validatePartial(bad));
    Study study =
        service
            .studies()
            .create(
                new Studies.NewStudy(
                    COLLECTION,
                    "retrain-zoo-pruning",
                    Direction.MAXIMIZE,
                    RetrainingService.SPACE,
                    Studies.Strategy.tpe(1),
                    new Studies.Start(pinned, 0)));
    // Five trials that did perfectly at every step.
    for (int n = 0; n < 5; n++) {
      study.ask(n);
      for (int step = 1; step <= RetrainingService.STEPS; step++) {
        study.report(n, step, 1.0);
      }
      study.tell(n, Study.Outcome.complete(1.0, 0.1));
    }

    // Queries that name no animal: no setting ranks the right passage first.
    LabelledSet vague =
        ZooCorpus.labelled(
            core, "vague", ZooCorpus.ANIMALS.length, i -> "an animal that forages all day " + i);
    RetrainingService.TrialOutcome outcome =
        service.runTrial(study.id(), 5, COLLECTION, vague, null, i -> {});

    assertThat(outcome.state()).isEqualTo("pruned");
    assertThat(outcome.value()).isNull();
    Trial stored = service.studies().byId(study.id()).orElseThrow().trials().get(5);
    assertThat(stored.state()).isEqualTo(TrialState.PRUNED);
    assertThat(stored.intermediate()).containsOnlyKeys(1);
    // Asked again (a retried activity), it is returned as stored, not run again.
    assertThat(service.runTrial(study.id(), 5, COLLECTION, vague, null, i -> {}))
        .isEqualTo(outcome);
  }

  @Test
  @Order(12)
  void a_study_its_ended_run_left_running_is_failed_by_the_next_run() {
    long ended = service.createStudy(COLLECTION, "retrain-zoo/terminated-run", 1);
    service.studies().byId(ended).orElseThrow().ask(0);

    long next = service.createStudy(COLLECTION, "retrain-zoo/next-run", 1);

    Study left = service.studies().byId(ended).orElseThrow();
    assertThat(left.record().state()).isEqualTo("failed");
    assertThat(left.record().stopReason()).contains("abandoned", "retrain-zoo/next-run");
    assertThat(left.trials())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.state()).isEqualTo(TrialState.FAILED);
              assertThat(t.error()).contains("abandoned");
            });
    assertThat(service.studies().byId(next).orElseThrow().record().state()).isEqualTo("running");
    // A retried "create study" of the running run finds its study and fails nothing.
    assertThat(service.createStudy(COLLECTION, "retrain-zoo/next-run", 1)).isEqualTo(next);
    assertThat(service.studies().byId(next).orElseThrow().record().state()).isEqualTo("running");
  }
}
