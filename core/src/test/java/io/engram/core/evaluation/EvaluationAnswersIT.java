package io.engram.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.EngramJdbi;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.FailingTable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The answer tier's storage on a real PostgreSQL: the sample is drawn once, a retried answer
 * overwrites its row, and the run's advisory means are computed as documented (faithfulness over
 * the answers that make a claim, relevancy over generated answers, context recall over all).
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EvaluationAnswersIT {
  private static final String MODEL = "all-minilm-l6-v2-q";
  private static final List<String> IDS = List.of("1", "2", "3", "4", "5", "6", "7", "8", "9");

  private HikariDataSource db;
  private Jdbi jdbi;
  private EvaluationStore store;
  private IndexVersion version;
  private int workflows;

  @BeforeAll
  void setUp() throws Exception {
    db = EngramServicesExtension.postgres().migratedDatabase("evaluation_answers_it", 4);
    jdbi = EngramJdbi.create(db);
    new CollectionRegistry(jdbi).ensure("tiny");
    version = new IndexVersions(jdbi).ensureChampion(MODEL, 1024, 200);
    store = new EvaluationStore(jdbi);
  }

  @AfterAll
  void tearDown() {
    db.close();
  }

  @Test
  void the_sample_is_drawn_once_by_hash_and_a_run_without_one_has_no_answer_tier()
      throws Exception {
    long run = register();
    assertThat(store.runs().byId(run).orElseThrow().answers()).isNull();

    assertThat(store.drawAnswerSample(run, 3, "openai:gemma-3-270m")).isEqualTo(3);
    // A retried draw keeps the first sample, whatever it asks for.
    assertThat(store.drawAnswerSample(run, 5, "other")).isEqualTo(3);

    List<EvaluationAnswers.Pending> pending = store.answers().pending(run, 0, 10);
    // AnswerSampleTest: the hash orders ids 1..9 as 4, 2, 7, …
    assertThat(pending)
        .extracting(EvaluationAnswers.Pending::queryId)
        .containsExactly("4", "2", "7");
    assertThat(pending.get(0).text()).isEqualTo("question 4");
    assertThat(pending.get(0).relevant()).containsEntry("d4", 1);
    EvaluationAnswers.Summary summary = store.runs().byId(run).orElseThrow().answers();
    assertThat(summary.model()).isEqualTo("openai:gemma-3-270m");
    assertThat(summary.sample()).isEqualTo(3);
    assertThat(store.answers().pending(run, 1, 2))
        .extracting(EvaluationAnswers.Pending::queryId)
        .containsExactly("2");
  }

  @Test
  void means_cover_generated_answers_and_fallbacks_are_counted_not_scored() throws Exception {
    long run = register();
    store.drawAnswerSample(run, 3, "openai:gemma-3-270m");
    completeRetrieval(run);

    // Slot 0 ("4"): a first attempt's answer, then the retry's, which replaces it.
    store.answers().record(run, llm("4", 0.0, 0.1, 0.0, 900));
    store.answers().record(run, llm("4", 1.0, 0.8, 1.0, 1000));
    // Slot 1 ("2"): an answer that makes no claim has no faithfulness.
    store.answers().record(run, llm("2", null, 0.6, 0.5, 3000));
    assertThatThrownBy(() -> store.complete(run))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 sampled queries without an answer");
    // Slot 2 ("7"): the LLM timed out.
    store
        .answers()
        .record(
            run,
            new EvaluationAnswers.Result(
                "7",
                EvaluationAnswers.MODE_FALLBACK,
                null,
                List.of(),
                List.of("d1"),
                null,
                null,
                null,
                null,
                0.0,
                30000.0,
                "LLM call failed: TimeoutException"));

    EvaluationAnswers.Sums sums = store.answers().sums(run, 0, 3);
    assertThat(sums.done()).isEqualTo(3);
    assertThat(sums.generated()).isEqualTo(2);
    assertThat(sums.faithful()).isEqualTo(1);
    assertThat(sums.faithfulness()).isEqualTo(1.0);
    assertThat(sums.relevancy()).isCloseTo(1.4, within(1e-12));
    assertThat(sums.contextRecall()).isCloseTo(1.5, within(1e-12));

    EvaluationAnswers.Summary summary = store.complete(run).answers();
    assertThat(summary.generated()).isEqualTo(2);
    assertThat(summary.fallback()).isEqualTo(1);
    assertThat(summary.faithfulness()).isEqualTo(1.0);
    assertThat(summary.relevancy()).isCloseTo(0.7, within(1e-12));
    // Over all three sampled queries: (1 + 0.5 + 0) / 3.
    assertThat(summary.contextRecall()).isCloseTo(0.5, within(1e-12));
    // Nearest-rank median of the generated answers' 1000 and 3000 ms.
    assertThat(summary.p50Ms()).isEqualTo(1000.0);
    // Completing again recomputes the same figures.
    assertThat(store.complete(run).answers()).isEqualTo(summary);
    assertThat(store.runs().byId(run).orElseThrow().status()).isEqualTo("completed");
  }

  @Test
  void an_answer_for_a_query_outside_the_sample_is_refused() throws Exception {
    long run = register();
    store.drawAnswerSample(run, 1, "m");

    assertThatThrownBy(() -> store.answers().record(run, llm("9", 1.0, 1.0, 1.0, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not sample query '9'");
  }

  @Test
  void a_run_whose_queries_cannot_be_recorded_is_not_registered() throws Exception {
    try (FailingTable refused = FailingTable.refusing(jdbi, "INSERT", "eval_query_results")) {
      assertThatThrownBy(this::register)
          .isInstanceOf(JdbiException.class)
          .hasMessageContaining(FailingTable.ERROR);
    }
    String workflowId = "eval-answers-" + workflows;
    assertThat(store.runs().byWorkflowId(workflowId)).isEmpty();
  }

  private long register() throws Exception {
    List<BeirDataset.Query> queries =
        IDS.stream()
            .map(id -> new BeirDataset.Query(id, "question " + id, Map.of("d" + id, 1)))
            .toList();
    return store.register(
        new EvaluationRuns.NewRun(
            "eval-answers-" + (++workflows),
            new EvaluationRuns.EvalSet("tiny", "test", "all"),
            new EvaluationRuns.Target("tiny", version.name(), version.id()),
            EngramSettings.defaults().retrieval(),
            null),
        queries);
  }

  private void completeRetrieval(long run) throws Exception {
    for (String id : IDS) {
      store
          .queries()
          .record(run, new EvaluationQueries.QueryResult(id, 1, 1, 1, 1, 10, List.of("d" + id)));
    }
  }

  private static EvaluationAnswers.Result llm(
      String id, Double faithfulness, double relevancy, double contextRecall, double ms) {
    return new EvaluationAnswers.Result(
        id,
        EvaluationAnswers.MODE_LLM,
        "an answer [1]",
        List.of(1),
        List.of("d" + id),
        faithfulness == null ? 0 : 2,
        faithfulness == null ? 0 : (int) (2 * faithfulness),
        faithfulness,
        relevancy,
        contextRecall,
        ms,
        null);
  }
}
