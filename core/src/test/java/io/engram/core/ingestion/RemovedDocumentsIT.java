package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.index.IndexParams;
import io.engram.testing.EngramServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document deleted from a re-ingested source is tombstoned whichever ingestion last stored it,
 * and only documents the scan looks at are, on a real PostgreSQL.
 */
@EngramServices
class RemovedDocumentsIT {

  private IngestionDatabase database;
  private Jdbi jdbi;
  private IngestionService service;
  private int runs;

  @BeforeEach
  void setUp() {
    database = new IngestionDatabase("removed_documents_it");
    jdbi = database.jdbi;
    service = database.service();
  }

  @AfterEach
  void tearDown() {
    database.close();
  }

  @Test
  void a_file_once_ingested_on_its_own_is_tombstoned_when_deleted_from_its_directory(
      @TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Path a = dir.resolve("a.txt");
    Files.writeString(a, "Green tea is brewed at eighty degrees.");
    Files.writeString(dir.resolve("b.txt"), "A sloop carries one mast and two sails.");
    ingest(dir);
    Files.writeString(a, "Green tea is brewed at seventy degrees.");
    ingest(a);

    Files.delete(a);
    IngestionService.Discovery discovery = ingest(dir);

    assertThat(discovery.tombstonedSample()).containsExactly(a.toString());
    assertThat(active()).containsExactly(dir.resolve("b.txt").toString());
    assertThat(database.count("chunks")).isEqualTo(1);
  }

  @Test
  void documents_the_scan_does_not_look_at_stay(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Path hidden = Files.createDirectories(dir.resolve(".drafts")).resolve("c.txt");
    Path sibling = Files.createDirectories(tmp.resolve("notes-old")).resolve("d.txt");
    Files.writeString(dir.resolve("b.txt"), "A sloop carries one mast and two sails.");
    Files.writeString(hidden, "Bees dance to show where food is.");
    Files.writeString(sibling, "Oolong is half oxidised.");
    ingest(hidden);
    ingest(sibling);

    IngestionService.Discovery discovery = ingest(dir);

    assertThat(discovery.tombstoned()).isZero();
    assertThat(active())
        .containsExactlyInAnyOrder(
            dir.resolve("b.txt").toString(), hidden.toString(), sibling.toString());
  }

  /** Ingests a path as the API does for a server-side path: the path is its own origin. */
  private IngestionService.Discovery ingest(Path path) throws Exception {
    String runId = "run-" + ++runs;
    String origin = path.toString();
    IngestionService.Discovery discovery =
        service.discover(
            new IngestionService.Request(
                "wf-" + runId, runId, "notes", origin, origin, null, IndexParams.BASE, false),
            n -> {});
    IngestionService.BatchOutcome outcome =
        service.process(runId, 0, discovery.pending(), seq -> {});
    assertThat(outcome.failed()).as("%s", outcome.errors()).isZero();
    return discovery;
  }

  private List<String> active() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT source_uri FROM documents WHERE status = 'active'")
                .mapTo(String.class)
                .list());
  }
}
