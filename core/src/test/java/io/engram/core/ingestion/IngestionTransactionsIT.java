package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.index.IndexParams;
import io.engram.testing.EngramServices;
import io.engram.testing.FailingTable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingestion steps whose transactions span several tables' owners, on a real PostgreSQL: when
 * one statement fails, the step leaves nothing of itself behind, and running it again completes it.
 * A {@link FailingTable} stands in for the failure.
 */
@EngramServices
class IngestionTransactionsIT {

  private IngestionDatabase database;
  private Jdbi jdbi;
  private IngestionService service;

  /** A database per test: the tests count every row of the ingestion tables. */
  @BeforeEach
  void setUp() {
    database = new IngestionDatabase("ingestion_transactions_it");
    jdbi = database.jdbi;
    service = database.service();
  }

  @AfterEach
  void tearDown() {
    database.close();
  }

  @Test
  void a_document_whose_index_cannot_be_recorded_keeps_no_chunk_and_stays_pending(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("tea.txt"), "Green tea is brewed at eighty degrees.");
    Files.writeString(dir.resolve("sail.txt"), "A sloop carries one mast and two sails.");
    assertThat(discover("run-1", dir).pending()).isEqualTo(2);

    try (FailingTable refused = FailingTable.refusing(jdbi, "INSERT", "document_indexes")) {
      assertThatThrownBy(() -> service.process("run-1", 0, 2, seq -> {}))
          .isInstanceOf(JdbiException.class)
          .hasMessageContaining(FailingTable.ERROR);
      // The document row, its chunks and the item's status were written in the same transaction.
      assertThat(database.count("documents")).isZero();
      assertThat(database.count("chunks")).isZero();
      assertThat(database.count("ingestion_items WHERE status = 'pending'")).isEqualTo(2);
    }
    IngestionService.BatchOutcome outcome = service.process("run-1", 0, 2, seq -> {});
    assertThat(outcome.done()).isEqualTo(2);
    assertThat((long) outcome.chunks()).isEqualTo(database.count("chunks")).isPositive();
    assertThat(database.count("document_indexes")).isEqualTo(2);
    assertThat(database.count("documents WHERE status = 'active'")).isEqualTo(2);
  }

  @Test
  void a_discovery_that_cannot_record_its_items_tombstones_nothing(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("tea.txt"), "Green tea is brewed at eighty degrees.");
    Files.writeString(dir.resolve("sail.txt"), "A sloop carries one mast and two sails.");
    discover("run-1", dir);
    service.process("run-1", 0, 2, seq -> {});
    long chunks = database.count("chunks");

    // The next run finds one document changed and one gone.
    Files.writeString(dir.resolve("tea.txt"), "Green tea is brewed at seventy degrees.");
    Files.delete(dir.resolve("sail.txt"));
    try (FailingTable refused = FailingTable.refusing(jdbi, "INSERT", "ingestion_items")) {
      assertThatThrownBy(() -> discover("run-2", dir))
          .isInstanceOf(JdbiException.class)
          .hasMessageContaining(FailingTable.ERROR);
      assertThat(database.count("ingestion_runs WHERE run_id = 'run-2'")).isZero();
      assertThat(database.count("documents WHERE status = 'active'")).isEqualTo(2);
      assertThat(database.count("chunks")).isEqualTo(chunks);
    }
    IngestionService.Discovery retried = discover("run-2", dir);
    assertThat(retried.pending()).isEqualTo(1);
    assertThat(retried.tombstoned()).isEqualTo(1);
    assertThat(database.count("documents WHERE status = 'tombstoned'")).isEqualTo(1);
    // A retry of the committed discovery returns its record without scanning again.
    Files.delete(dir.resolve("tea.txt"));
    assertThat(discover("run-2", dir)).isEqualTo(retried);
  }

  private IngestionService.Discovery discover(String runId, Path dir) throws Exception {
    String origin = dir.toString();
    return service.discover(
        new IngestionService.Request(
            "wf-" + runId, runId, "notes", origin, origin, null, IndexParams.BASE, false),
        n -> {});
  }
}
