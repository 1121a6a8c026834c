package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.store.PgVectorChunkStore;
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
 * An ingestion run's validation on a real PostgreSQL with pgvector and a real embedding model: what
 * it finds when the index holds what the run stored, and when chunks, a chunk's collection or the
 * HNSW index went missing behind the run's back.
 */
@EngramServices
class IngestionValidationIT {
  private static final int DOCUMENTS = 40;

  private IngestionDatabase database;
  private Jdbi jdbi;
  private IngestionService service;
  private IngestionValidation validation;
  private IndexVersion champion;
  private int runs;

  @BeforeEach
  void setUp() {
    database = new IngestionDatabase("ingestion_validation_it");
    jdbi = database.jdbi;
    service = database.service();
    validation = new IngestionValidation(jdbi, database.versions, new PgVectorChunkStore(jdbi));
    champion = database.versions.champion().orElseThrow();
  }

  @AfterEach
  void tearDown() {
    database.close();
  }

  @Test
  void a_run_whose_documents_the_index_holds_passes(@TempDir Path tmp) throws Exception {
    String run = ingest(corpus(tmp));

    IngestionValidation.Report report = validation.validate(run, seq -> {});

    assertThat(report.checked()).isEqualTo(DOCUMENTS);
    assertThat(report.incomplete()).isZero();
    assertThat(report.errors()).isEmpty();
    assertThat(report.probed()).isEqualTo(IngestionValidation.PROBES);
    assertThat(report.unreachable()).isZero();
    assertThat(report.hnswIndex()).isEqualTo(IndexVersions.HnswIndex.VALID);
    assertThat(report.problems()).isEmpty();
  }

  @Test
  void documents_missing_chunks_are_failed_and_stored_again_by_the_next_run(@TempDir Path tmp)
      throws Exception {
    Path corpus = corpus(tmp);
    String run = ingest(corpus);
    List<Long> lost = documentIds(List.of("doc-3.txt", "doc-17.txt"));
    deleteChunks(lost, champion);

    IngestionValidation.Report report = validation.validate(run, seq -> {});

    String reason =
        "index version "
            + champion.name()
            + " holds 0 of the 1 chunks stored for it; the next ingestion of its source stores it"
            + " again";
    assertThat(report.checked()).isEqualTo(DOCUMENTS);
    assertThat(report.incomplete()).isEqualTo(2);
    assertThat(report.errors())
        .containsExactlyInAnyOrder(
            new IngestionService.ItemError(corpus.resolve("doc-3.txt").toString(), reason),
            new IngestionService.ItemError(corpus.resolve("doc-17.txt").toString(), reason));
    assertThat(database.count("ingestion_items WHERE status = 'incomplete'")).isEqualTo(2);
    assertThat(database.count("documents WHERE error IS NOT NULL")).isEqualTo(2);
    // Done again (a retried activity), it reports what the first attempt marked, and marks
    // nothing more.
    IngestionValidation.Report again = validation.validate(run, seq -> {});
    assertThat(again).isEqualTo(report);

    // The index no longer claims their content, so the next run stores them, and only them.
    IngestionService.Discovery next = discover(corpus);
    assertThat(next.pending()).isEqualTo(2);
    assertThat(next.skipped()).isEqualTo(DOCUMENTS - 2);
    String nextRun = "run-" + runs;
    service.process(nextRun, 0, next.pending(), seq -> {});
    assertThat(database.count("chunks WHERE document_id = ANY ('" + array(lost) + "')"))
        .isEqualTo(2);
    assertThat(database.count("documents WHERE error IS NOT NULL")).isZero();
    assertThat(validation.validate(nextRun, seq -> {}).incomplete()).isZero();
  }

  @Test
  void an_incomplete_document_is_still_read_again_by_a_rebuild(@TempDir Path tmp) throws Exception {
    String run = ingest(corpus(tmp));
    deleteChunks(documentIds(List.of("doc-3.txt")), champion);
    assertThat(validation.validate(run, seq -> {}).incomplete()).isEqualTo(1);

    // Where the document was read from is still known: a rebuild of the whole collection is not
    // refused for it.
    IngestionService.Discovery rebuilt = rebuild(IndexParams.chunking(256, 32));

    assertThat(rebuilt.pending()).isEqualTo(DOCUMENTS);
  }

  @Test
  void a_rebuilds_incomplete_document_is_the_rebuilt_indexs_and_its_next_rebuild_stores_it(
      @TempDir Path tmp) throws Exception {
    ingest(corpus(tmp));
    IndexParams chunking = IndexParams.chunking(256, 32);
    IngestionService.Discovery rebuilt = rebuild(chunking);
    String rebuildRun = "run-" + runs;
    service.process(rebuildRun, 0, rebuilt.pending(), seq -> {});
    IndexVersion other = database.versions.byId(rebuilt.indexVersionId()).orElseThrow();
    List<Long> lost = documentIds(List.of("doc-9.txt"));
    deleteChunks(lost, other);

    IngestionValidation.Report report = validation.validate(rebuildRun, seq -> {});

    assertThat(report.incomplete()).isEqualTo(1);
    assertThat(report.errors())
        .singleElement()
        .extracting(IngestionService.ItemError::reason)
        .asString()
        .endsWith("the next rebuild of that index stores it again");
    // The served document and the champion's index are left as they were.
    assertThat(database.count("documents WHERE error IS NOT NULL")).isZero();
    assertThat(
            database.count(
                "document_indexes WHERE index_version_id = "
                    + champion.id()
                    + " AND document_id = "
                    + lost.get(0)))
        .isEqualTo(1);
    // The next rebuild of that index finds just that document lacking.
    assertThat(rebuild(chunking).pending()).isEqualTo(1);
  }

  @Test
  void documents_stored_again_or_removed_since_are_not_the_runs_to_answer_for(@TempDir Path tmp)
      throws Exception {
    Path corpus = corpus(tmp);
    String first = ingest(corpus);
    Files.writeString(corpus.resolve("doc-5.txt"), "Quartz is a crystal of silicon and oxygen.");
    Files.delete(corpus.resolve("doc-6.txt"));
    ingest(corpus);

    IngestionValidation.Report report = validation.validate(first, seq -> {});

    assertThat(report.checked()).isEqualTo(DOCUMENTS - 2);
    assertThat(report.incomplete()).isZero();
  }

  @Test
  void a_chunk_the_collections_searches_cannot_reach_is_reported_as_the_indexs_problem(
      @TempDir Path tmp) throws Exception {
    String run = ingest(corpus(tmp));
    // Every chunk filed under another collection: stored, counted, and never found by a search of
    // this one.
    jdbi.useHandle(h -> h.execute("UPDATE chunks SET collection = 'elsewhere'"));

    IngestionValidation.Report report = validation.validate(run, seq -> {});

    assertThat(report.incomplete()).isZero();
    assertThat(report.unreachable())
        .isEqualTo(report.probed())
        .isEqualTo(IngestionValidation.PROBES);
    assertThat(report.problems())
        .singleElement()
        .asString()
        .startsWith("16 of the 16 documents probed were not among the 10 nearest chunks")
        .contains(champion.name(), "hnsw.ef_search");
  }

  @Test
  void a_missing_hnsw_index_is_reported_with_the_statement_that_creates_it(@TempDir Path tmp)
      throws Exception {
    String run = ingest(corpus(tmp));
    String name = IndexVersions.hnswIndexName(champion);
    jdbi.useHandle(h -> h.execute("DROP INDEX " + name));

    IngestionValidation.Report report = validation.validate(run, seq -> {});

    assertThat(report.hnswIndex()).isEqualTo(IndexVersions.HnswIndex.MISSING);
    // Nothing probed: without the index a search reads every chunk and proves nothing.
    assertThat(report.probed()).isZero();
    String statement =
        IndexVersions.createHnswIndex(champion)
            .replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY");
    assertThat(report.problems())
        .singleElement()
        .asString()
        .contains("has no HNSW index")
        .endsWith(statement);
    // The statement the report gives is the remedy.
    jdbi.useHandle(h -> h.execute(statement));
    assertThat(database.versions.hnswIndex(champion)).isEqualTo(IndexVersions.HnswIndex.VALID);
    assertThat(validation.validate(run, seq -> {}).problems()).isEmpty();
  }

  /** {@value #DOCUMENTS} one-sentence documents, each a chunk of its own. */
  private static Path corpus(Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("facts"));
    for (int i = 0; i < DOCUMENTS; i++) {
      Files.writeString(
          dir.resolve("doc-" + i + ".txt"),
          "Fact number "
              + i
              + ": the "
              + ORDINALS.get(i % ORDINALS.size())
              + " lighthouse of"
              + " harbour "
              + i
              + " was painted in "
              + (1800 + 7 * i)
              + ".");
    }
    return dir;
  }

  private static final List<String> ORDINALS =
      List.of("first", "second", "third", "fourth", "fifth", "sixth", "seventh");

  /** Ingests a directory as the API does for a server-side path; returns the run's id. */
  private String ingest(Path path) throws Exception {
    IngestionService.Discovery discovery = discover(path);
    String runId = "run-" + runs;
    IngestionService.BatchOutcome outcome =
        service.process(runId, 0, discovery.pending(), seq -> {});
    assertThat(outcome.failed()).as("%s", outcome.errors()).isZero();
    return runId;
  }

  private IngestionService.Discovery discover(Path path) throws Exception {
    String runId = "run-" + ++runs;
    String origin = path.toString();
    return service.discover(
        new IngestionService.Request(
            "wf-" + runId, runId, "facts", origin, origin, null, IndexParams.BASE, false),
        n -> {});
  }

  private IngestionService.Discovery rebuild(IndexParams index) throws Exception {
    String runId = "run-" + ++runs;
    return service.discover(
        new IngestionService.Request(
            "wf-" + runId,
            runId,
            "facts",
            IngestionService.REBUILD_ORIGIN,
            null,
            null,
            index,
            true),
        n -> {});
  }

  private void deleteChunks(List<Long> documentIds, IndexVersion version) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "DELETE FROM chunks WHERE document_id = ANY (:ids) AND index_version_id = :v")
                .bindArray("ids", Long.class, documentIds)
                .bind("v", version.id())
                .execute());
  }

  private List<Long> documentIds(List<String> names) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT id FROM documents WHERE regexp_replace(source_uri, '^.*/', '')"
                        + " = ANY (:names) ORDER BY id")
                .bindArray("names", String.class, names)
                .mapTo(Long.class)
                .list());
  }

  private static String array(List<Long> ids) {
    return "{" + String.join(",", ids.stream().map(String::valueOf).toList()) + "}";
  }
}
