package io.engram.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.db.EngramJdbi;
import io.engram.core.tuning.Studies.NewStudy;
import io.engram.core.tuning.Studies.Start;
import io.engram.core.tuning.Studies.Strategy;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Studies and trials on a real PostgreSQL: every step the retraining workflow's activities take
 * (create, ask, report, should-prune, tell) is idempotent, parameters and values come back exactly,
 * and a search through the database picks the same parameters as the same search in memory.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StudiesIT {
  private static final SearchSpace SPACE = SearchSpaceTest.RETRIEVAL;

  private HikariDataSource db;
  private Jdbi jdbi;
  private Studies studies;

  @BeforeAll
  void setUp() {
    db = EngramServicesExtension.postgres().migratedDatabase("tuning_studies_it", 6);
    jdbi = EngramJdbi.create(db);
    CollectionRegistry collections = new CollectionRegistry(jdbi);
    for (String c : List.of("c1", "c2", "c3", "c4", "c5", "c6")) {
      collections.ensure(c);
    }
    studies = new Studies(jdbi);
  }

  @AfterAll
  void tearDown() {
    db.close();
  }

  private Study create(String collection, String workflowId, Strategy strategy, Start start) {
    return studies.create(
        new NewStudy(collection, workflowId, Direction.MAXIMIZE, SPACE, strategy, start));
  }

  @Test
  void creating_a_study_twice_for_one_workflow_gives_the_first() {
    Study a = create("c1", "wf-create", Strategy.tpe(7), Start.NONE);
    Study b = create("c1", "wf-create", Strategy.random(8).withPruner(null), Start.NONE);
    assertThat(b.id()).isEqualTo(a.id());
    StudyRecords.Row row = b.record();
    assertThat(row.definition().sampler()).isEqualTo("tpe");
    assertThat(row.definition().seed()).isEqualTo(7);
    assertThat(row.definition().pruner()).isEqualTo(MedianPruner.defaults());
    assertThat(row.definition().space()).isEqualTo(SPACE);
    assertThat(row.state()).isEqualTo("running");
    assertThat(studies.byWorkflowId("wf-create").orElseThrow().id()).isEqualTo(a.id());
  }

  @Test
  void ask_report_and_tell_are_idempotent_and_keep_values_exactly() {
    Study s = create("c1", "wf-idempotent", Strategy.tpe(11), Start.NONE);
    Trial first = s.ask(0);
    assertThat(first.state()).isEqualTo(TrialState.RUNNING);
    assertThat(first.startedAt()).isNotNull();
    // A retried ask returns the stored trial; the parameters are the sampler's, exactly.
    assertThat(s.ask(0).params()).isEqualTo(first.params());
    assertThat(first.params())
        .isEqualTo(
            new TpeSampler()
                .sample(SPACE, Direction.MAXIMIZE, List.of(), Sampler.trialSeed(11, 0)));

    double awkward = 0.1 + 0.2;
    s.report(0, 0, awkward);
    Trial reported = s.report(0, 0, 0.9);
    assertThat(reported.intermediate()).containsExactlyEntriesOf(Map.of(0, awkward));
    assertThat(s.report(0, 3, 1e-17).intermediate()).containsEntry(3, 1e-17);
    assertThatThrownBy(() -> s.report(0, 4, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);

    Trial told = s.tell(0, Study.Outcome.complete(2.0 / 3, 12.5));
    assertThat(told.state()).isEqualTo(TrialState.COMPLETE);
    assertThat(told.value()).isEqualTo(2.0 / 3);
    assertThat(told.costSeconds()).isEqualTo(12.5);
    assertThat(told.finishedAt()).isNotNull();
    // The first tell wins; later reports to a finished trial change nothing.
    assertThat(s.tell(0, Study.Outcome.failed("retry", 1))).isEqualTo(told);
    assertThat(s.report(0, 5, 0.4).intermediate()).doesNotContainKey(5);
    assertThat(s.record().bestTrial()).isEqualTo(0);

    s.ask(1);
    Trial nan = s.tell(1, Study.Outcome.complete(Double.NaN, 1));
    assertThat(nan.state()).isEqualTo(TrialState.FAILED);
    assertThat(nan.error()).contains("NaN");
    assertThat(s.best().orElseThrow().number()).isZero();
    assertThatThrownBy(() -> s.tell(7, Study.Outcome.pruned(0)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void the_median_pruner_judges_running_trials_and_a_pruned_one_stays_pruned() {
    Study s = create("c2", "wf-prune", Strategy.random(3), Start.NONE);
    double[] finals = {0.1, 0.2, 0.3, 0.4, 0.5};
    for (int i = 0; i < 5; i++) {
      s.ask(i);
      s.report(i, 0, finals[i]);
      s.tell(i, Study.Outcome.complete(finals[i], 1));
    }
    s.ask(5);
    s.report(5, 0, 0.25);
    assertThat(s.shouldPrune(5, 0)).isTrue();
    s.tell(5, Study.Outcome.pruned(0.5));
    assertThat(s.shouldPrune(5, 0)).isTrue();
    s.ask(6);
    s.report(6, 0, 0.35);
    assertThat(s.shouldPrune(6, 0)).isFalse();

    Study unpruned = create("c2", "wf-no-prune", Strategy.random(3).withPruner(null), Start.NONE);
    for (int i = 0; i < 6; i++) {
      unpruned.ask(i);
      unpruned.report(i, 0, i == 5 ? 0.0 : 1.0);
      if (i < 5) {
        unpruned.tell(i, Study.Outcome.complete(1.0, 1));
      }
    }
    assertThat(unpruned.shouldPrune(5, 0)).isFalse();
  }

  @Test
  void a_search_through_the_database_picks_what_the_same_search_in_memory_picks() {
    Study s = create("c3", "wf-replay", Strategy.tpe(2024), Start.NONE);
    List<Trial> memory =
        LocalSearch.run(
            new TpeSampler(), SPACE, Direction.MAXIMIZE, TpeSamplerTest::retrieval, 25, 2024);
    for (int i = 0; i < 25; i++) {
      Trial t = s.ask(i);
      assertThat(t.params()).isEqualTo(memory.get(i).params());
      s.tell(i, Study.Outcome.complete(TpeSamplerTest.retrieval(t.params()), 0.1));
    }
    assertThat(s.best().orElseThrow().value())
        .isEqualTo(LocalSearch.best(memory, Direction.MAXIMIZE));
    assertThat(s.record().bestTrial()).isEqualTo(s.best().orElseThrow().number());

    EarlyStopping rules = new EarlyStopping(25, 100, 1, 0, Duration.ofHours(1));
    EarlyStopping.Verdict v = s.check(rules, Duration.ofMinutes(3));
    assertThat(v.reason()).isEqualTo(EarlyStopping.Reason.N_TRIALS);
    s.finish(v.reason().stored());
    s.finish("other");
    StudyRecords.Row row = s.record();
    assertThat(row.state()).isEqualTo("complete");
    assertThat(row.stopReason()).isEqualTo("n_trials");
    assertThat(row.finishedAt()).isNotNull();
    // A finished study hands back its trials but starts no new one.
    assertThat(s.ask(3).params()).isEqualTo(memory.get(3).params());
    assertThatThrownBy(() -> s.ask(25)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void parallel_asks_each_get_one_trial() throws Exception {
    Study s = create("c4", "wf-parallel", Strategy.tpe(5), Start.NONE);
    for (int i = 0; i < 12; i++) {
      s.ask(i);
      s.tell(i, Study.Outcome.complete(TpeSamplerTest.retrieval(s.ask(i).params()), 0));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Trial>> asks = new ArrayList<>();
      // Each of 8 numbers asked three times at once, as retried activities might.
      for (int round = 0; round < 3; round++) {
        for (int i = 12; i < 20; i++) {
          int n = i;
          asks.add(pool.submit(() -> s.ask(n)));
        }
      }
      Map<Integer, Params> byNumber = new HashMap<>();
      for (Future<Trial> f : asks) {
        Trial t = f.get(60, TimeUnit.SECONDS);
        Params before = byNumber.putIfAbsent(t.number(), t.params());
        assertThat(before == null || before.equals(t.params())).isTrue();
      }
      assertThat(byNumber).hasSize(8);
    } finally {
      pool.shutdownNow();
    }
    List<Trial> trials = s.trials();
    assertThat(trials).hasSize(20);
    assertThat(trials.stream().filter(t -> t.state() == TrialState.RUNNING)).hasSize(8);
    Set<Params> distinct = new HashSet<>();
    trials.subList(12, 20).forEach(t -> distinct.add(t.params()));
    assertThat(distinct).hasSize(8);
  }

  @Test
  void a_warm_start_tries_the_pinned_sets_then_the_previous_studys_best_first() {
    Study previous = create("c5", "wf-warm-1", Strategy.random(1), Start.NONE);
    double[] values = {0.3, 0.9, 0.5, 0.7};
    for (int i = 0; i < values.length; i++) {
      previous.ask(i);
      previous.tell(i, Study.Outcome.complete(values[i], 1));
    }
    previous.ask(4);
    previous.tell(4, Study.Outcome.pruned(1));
    List<Trial> before = previous.trials();
    // A pinned set may be partial: the sampler fills in the rest.
    Params pinned = new Params(Map.of("reranker", "linear"));
    Study next =
        studies.create(
            new NewStudy(
                "c5",
                "wf-warm-2",
                Direction.MAXIMIZE,
                SPACE,
                Strategy.tpe(2),
                new Start(List.of(pinned), 2)));
    assertThat(next.record().definition().warmStartStudyId()).isEqualTo(previous.id());
    assertThat(next.record().definition().enqueued())
        .containsExactly(pinned, before.get(1).params(), before.get(3).params());

    Trial t0 = next.ask(0);
    assertThat(t0.params().getString("reranker")).isEqualTo("linear");
    assertThat(SPACE.validate(t0.params().values())).isEqualTo(t0.params());
    assertThat(next.ask(1).params()).isEqualTo(before.get(1).params());
    assertThat(next.ask(2).params()).isEqualTo(before.get(3).params());
    assertThat(next.ask(3).params())
        .isEqualTo(
            new TpeSampler()
                .sample(
                    SPACE,
                    Direction.MAXIMIZE,
                    next.trials().subList(0, 3),
                    Sampler.trialSeed(2, 3)));

    // A study of another collection does not warm-start from this one.
    Study other =
        studies.create(
            new NewStudy(
                "c6", "wf-warm-3", Direction.MAXIMIZE, SPACE, Strategy.tpe(3), Start.warm(5)));
    assertThat(other.record().definition().warmStartStudyId()).isNull();
    assertThat(other.record().definition().enqueued()).isEmpty();
  }
}
