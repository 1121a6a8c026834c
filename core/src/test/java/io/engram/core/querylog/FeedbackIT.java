package io.engram.core.querylog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.db.EngramJdbi;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServicesExtension;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Feedback given right after an answer: the query is logged off the request path, so its row may
 * not be there yet. Feedback waits for a write this process announced, and only for that.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedbackIT {
  private HikariDataSource db;
  private QueryLog queryLog;
  private Feedback feedback;

  @BeforeAll
  void setUp() {
    db = EngramServicesExtension.postgres().migratedDatabase("feedback_it", 4);
    Jdbi jdbi = EngramJdbi.create(db);
    jdbi.useHandle(
        h -> h.execute("INSERT INTO collections (name) VALUES ('default') ON CONFLICT DO NOTHING"));
    queryLog = new QueryLog(jdbi);
    feedback = new Feedback(jdbi, queryLog);
  }

  @AfterAll
  void tearDown() {
    db.close();
  }

  private static QueryLog.Entry entry(UUID id) {
    return new QueryLog.Entry(
        id,
        "default",
        null,
        "does coffee help?",
        "default/v1",
        "extractive",
        12.5,
        List.of(7L, 9L),
        List.of("a.txt", "b.txt"),
        null,
        null);
  }

  @Test
  void feedback_on_a_query_still_being_logged_waits_for_its_row() throws Exception {
    UUID id = UUID.randomUUID();
    queryLog.expect(id);

    CompletableFuture<Optional<Long>> rated =
        CompletableFuture.supplyAsync(
            () -> feedback.record(Tenant.DEFAULT, id, 1, null, "right away"));
    // It found no row and waits for the announced write, which has not happened.
    org.awaitility.Awaitility.await()
        .during(java.time.Duration.ofMillis(300))
        .atMost(java.time.Duration.ofSeconds(2))
        .until(() -> !rated.isDone());
    queryLog.record(entry(id));

    assertThat(rated.get()).isPresent();
  }

  @Test
  void feedback_on_an_unknown_query_is_refused_at_once() {
    assertThat(feedback.record(Tenant.DEFAULT, UUID.randomUUID(), 1, null, null)).isEmpty();
  }

  @Test
  void feedback_on_a_logged_query_is_stored() {
    UUID id = UUID.randomUUID();
    queryLog.record(entry(id));

    assertThat(feedback.record(Tenant.DEFAULT, id, -1, "a.txt", null)).isPresent();
    assertThat(feedback.record(Tenant.DEFAULT, id, 1, null, "the answer")).isPresent();
  }

  /**
   * A rating of a source the query did not return would count as a click on nothing shown, in
   * rollout comparisons and retraining: refused, and nothing stored. A remembered fact is not rated
   * by source.
   */
  @Test
  void feedback_on_a_source_the_query_did_not_return_is_refused_and_not_stored() {
    UUID id = UUID.randomUUID();
    queryLog.record(entry(id));

    assertThatThrownBy(() -> feedback.record(Tenant.DEFAULT, id, 1, "c.txt", null))
        .isInstanceOf(Feedback.UnknownSourceException.class)
        .hasMessageContaining("not a document this query returned");
    assertThatThrownBy(() -> feedback.record(Tenant.DEFAULT, id, 1, "memory:episodic/3", null))
        .isInstanceOf(Feedback.UnknownSourceException.class)
        .hasMessageContaining("remembered fact");
    assertThat(feedback.record(Tenant.DEFAULT, id, 1, "b.txt", null)).isPresent();
    // Another tenant's query is unknown, whatever the source.
    assertThat(feedback.record(new Tenant("acme"), id, 1, "c.txt", null)).isEmpty();
  }
}
