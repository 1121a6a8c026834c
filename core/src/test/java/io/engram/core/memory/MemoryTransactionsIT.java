package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.db.EngramJdbi;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.FailingTable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Memory steps whose transactions span several tables' owners, on a real PostgreSQL: when one
 * statement fails, nothing of the step stays. A {@link FailingTable} stands in for the failure.
 */
@EngramServices
class MemoryTransactionsIT {
  private static final String MODEL = "all-minilm-l6-v2-q";
  private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private HikariDataSource db;
  private Jdbi jdbi;
  private WorkingMemory working;
  private EpisodicMemory episodic;
  private FactCitations citations;
  private MemoryMaintenance maintenance;
  private Distiller distiller;

  /** A database per test: the tests count every row of the memory tables. */
  @BeforeEach
  void setUp() {
    db =
        EngramServicesExtension.postgres()
            .migratedDatabase("memory_transactions_it_" + DATABASES.incrementAndGet(), 2);
    jdbi = EngramJdbi.create(db);
    MemorySettings settings = io.engram.core.config.EngramSettings.defaults().memory();
    working = new WorkingMemory(jdbi);
    episodic = new EpisodicMemory(jdbi, settings);
    citations = new FactCitations(jdbi);
    maintenance = new MemoryMaintenance(jdbi, settings);
    distiller =
        new Distiller(
            jdbi,
            episodic,
            new LocalFactExtractor(),
            new LocalFactExtractor(),
            new CachedEmbedder(jdbi, MODEL, EmbeddingModels.get(MODEL)));
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void an_exchange_whose_session_cannot_be_touched_leaves_no_turn() {
    UUID session = working.createSession("default", "ana");
    try (FailingTable refused = FailingTable.refusing(jdbi, "UPDATE", "sessions")) {
      assertThatThrownBy(
              () ->
                  working.appendExchange(
                      session, "I prefer green tea", "memory-statement", null, "Noted.", List.of()))
          .isInstanceOf(JdbiException.class)
          .hasMessageContaining(FailingTable.ERROR);
      assertThat(count("turns")).isZero();
    }
    working.appendExchange(
        session, "I prefer green tea", "memory-statement", null, "Noted.", List.of());
    assertThat(working.recentTurns(session, 10))
        .extracting(WorkingMemory.Turn::role)
        .containsExactly("user", "assistant");
  }

  @Test
  void a_flush_that_cannot_update_the_facts_keeps_every_citation_buffered() throws Exception {
    UUID session = working.createSession("default", "ben");
    working.appendExchange(
        session, "I prefer green tea", "memory-statement", null, "Noted.", List.of());
    long fact =
        distiller.distill(session, distiller.pendingTurns(session, 10), T0).storedIds().get(0);
    FactCitations.Cited cited = new FactCitations.Cited(MemoryTier.EPISODIC, fact);
    citations.record(List.of(cited, cited), T0.plusSeconds(60));
    Instant later = T0.plus(Duration.ofHours(1));

    try (FailingTable refused = FailingTable.refusing(jdbi, "UPDATE", "episodic_facts")) {
      assertThatThrownBy(() -> maintenance.flushCitations(later, 100))
          .isInstanceOf(JdbiException.class)
          .hasMessageContaining(FailingTable.ERROR);
      // Taking the citations out of the buffer was part of the same transaction.
      assertThat(count("fact_citations")).isEqualTo(2);
    }
    MemoryMaintenance.FlushResult flushed = maintenance.flushCitations(later, 100);
    assertThat(flushed.citations()).isEqualTo(2);
    assertThat(flushed.episodicFacts()).isEqualTo(1);
    assertThat(count("fact_citations")).isZero();
    assertThat(episodic.fact(fact).orElseThrow().citations()).isEqualTo(2);
    assertThat(episodic.fact(fact).orElseThrow().lastCitedAt()).isEqualTo(T0.plusSeconds(60));
  }

  private long count(String table) {
    return jdbi.withHandle(
        h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
  }
}
