package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.db.EngramJdbi;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersions;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.FailingTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
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
  private static final String MODEL = "all-minilm-l6-v2-q";
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private HikariDataSource db;
  private Jdbi jdbi;
  private IngestionService service;

  /** A database per test: the tests count every row of the ingestion tables. */
  @BeforeEach
  void setUp() {
    db =
        EngramServicesExtension.postgres()
            .migratedDatabase("ingestion_transactions_it_" + DATABASES.incrementAndGet(), 2);
    jdbi = EngramJdbi.create(db);
    IndexVersions versions = new IndexVersions(jdbi);
    versions.ensureChampion(MODEL, 1024, 200);
    service =
        new IngestionService(
            jdbi,
            versions,
            new BlobStore(jdbi),
            new DocumentReader(1 << 20),
            model -> new CachedEmbedder(jdbi, model, EmbeddingModels.get(model)));
  }

  @AfterEach
  void tearDown() {
    db.close();
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
      assertThat(count("documents")).isZero();
      assertThat(count("chunks")).isZero();
      assertThat(count("ingestion_items WHERE status = 'pending'")).isEqualTo(2);
    }
    IngestionService.BatchOutcome outcome = service.process("run-1", 0, 2, seq -> {});
    assertThat(outcome.done()).isEqualTo(2);
    assertThat((long) outcome.chunks()).isEqualTo(count("chunks")).isPositive();
    assertThat(count("document_indexes")).isEqualTo(2);
    assertThat(count("documents WHERE status = 'active'")).isEqualTo(2);
  }

  @Test
  void a_discovery_that_cannot_record_its_items_tombstones_nothing(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("tea.txt"), "Green tea is brewed at eighty degrees.");
    Files.writeString(dir.resolve("sail.txt"), "A sloop carries one mast and two sails.");
    discover("run-1", dir);
    service.process("run-1", 0, 2, seq -> {});
    long chunks = count("chunks");

    // The next run finds one document changed and one gone.
    Files.writeString(dir.resolve("tea.txt"), "Green tea is brewed at seventy degrees.");
    Files.delete(dir.resolve("sail.txt"));
    try (FailingTable refused = FailingTable.refusing(jdbi, "INSERT", "ingestion_items")) {
      assertThatThrownBy(() -> discover("run-2", dir))
          .isInstanceOf(JdbiException.class)
          .hasMessageContaining(FailingTable.ERROR);
      assertThat(count("ingestion_runs WHERE run_id = 'run-2'")).isZero();
      assertThat(count("documents WHERE status = 'active'")).isEqualTo(2);
      assertThat(count("chunks")).isEqualTo(chunks);
    }
    IngestionService.Discovery retried = discover("run-2", dir);
    assertThat(retried.pending()).isEqualTo(1);
    assertThat(retried.tombstoned()).isEqualTo(1);
    assertThat(count("documents WHERE status = 'tombstoned'")).isEqualTo(1);
    // A retry of the committed discovery returns its record without scanning again.
    Files.delete(dir.resolve("tea.txt"));
    assertThat(discover("run-2", dir)).isEqualTo(retried);
  }

  private IngestionService.Discovery discover(String runId, Path dir) throws Exception {
    String origin = dir.toString();
    return service.discover(
        new IngestionService.Request(
            "wf-" + runId, runId, "notes", origin, origin, null, null, null, false),
        n -> {});
  }

  private long count(String tableAndFilter) {
    return jdbi.withHandle(
        h -> h.createQuery("SELECT count(*) FROM " + tableAndFilter).mapTo(Long.class).one());
  }
}
