package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.engram.core.Hashing;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.index.IndexParams;
import io.engram.testing.EngramServices;
import io.engram.testing.FailingTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document that cannot be ingested as it is fails alone, with a reason, on a real PostgreSQL: the
 * other documents of its batch are stored, and the batch does not fail (which Temporal would retry
 * until the workflow fails).
 */
@EngramServices
class DocumentsFailAloneIT {

  private IngestionDatabase database;
  private Jdbi jdbi;
  private IngestionService service;

  /** A database per test: the tests count rows of the ingestion tables. */
  @BeforeEach
  void setUp() {
    database = new IngestionDatabase("documents_fail_alone_it");
    jdbi = database.jdbi;
    service = database.service();
  }

  @AfterEach
  void tearDown() {
    database.close();
  }

  @Test
  void nul_characters_are_removed_from_text_and_titles(@TempDir Path dir) throws Exception {
    // Past the binary probe of the first 8 KB, so the file is read as text.
    Files.writeString(
        dir.resolve("late.txt"), "Tea is brewed. ".repeat(600) + "Oolong\0 is half oxidised.");
    // JSON escapes, which parse into real NUL characters, in an id, a title and a text.
    Files.writeString(
        dir.resolve("corpus.jsonl"),
        """
        {"_id": "d\\u00001", "title": "Sail\\u0000ing", "text": "A sloop\\u0000 has one mast."}
        {"_id": "d2", "title": "Tea", "text": "Green tea is brewed at eighty degrees."}
        """);

    IngestionService.Discovery discovery = discover("run-1", dir);
    IngestionService.BatchOutcome outcome = service.process("run-1", 0, 3, seq -> {});

    assertThat(discovery.pending()).isEqualTo(3);
    assertThat(outcome.failed()).as("%s", outcome.errors()).isZero();
    assertThat(outcome.done()).isEqualTo(3);
    assertThat(string("SELECT title FROM documents WHERE external_id = 'd1'")).isEqualTo("Sailing");
    assertThat(database.count("chunks WHERE text LIKE '%A sloop has one mast.%'")).isEqualTo(1);
    assertThat(database.count("chunks WHERE text LIKE '%Oolong is half oxidised.%'")).isEqualTo(1);
  }

  @Test
  void a_record_listed_again_under_its_id_is_reported_not_dropped(@TempDir Path dir)
      throws Exception {
    Files.writeString(
        dir.resolve("corpus.jsonl"),
        """
        {"_id": "j1", "title": "Tea", "text": "Green tea is brewed at eighty degrees."}
        {"_id": "j2", "title": "Sail", "text": "A sloop has one mast."}
        {"_id": "j1", "title": "Tea again", "text": "Black tea is brewed with boiling water."}
        {"_id": "j1", "title": "Tea thrice", "text": "Oolong is half oxidised."}
        """);

    IngestionService.Discovery discovery = discover("run-1", dir);

    assertThat(discovery.total()).isEqualTo(2);
    assertThat(discovery.pending()).isEqualTo(2);
    assertThat(discovery.duplicates()).isEqualTo(2);
    assertThat(discovery.duplicateSample()).hasSize(2).allMatch(uri -> uri.endsWith("#j1"));
    // A retried discovery reports what the first recorded.
    IngestionService.Discovery again = discover("run-1", dir);
    assertThat(again.duplicates()).isEqualTo(2);
    assertThat(again.duplicateSample()).isEqualTo(discovery.duplicateSample());
    // The first record of the id is the one ingested.
    service.process("run-1", 0, 2, seq -> {});
    assertThat(string("SELECT title FROM documents WHERE external_id = 'j1'")).isEqualTo("Tea");
  }

  @Test
  void a_document_the_database_refuses_fails_alone(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tea.txt"), "Green tea is brewed at eighty degrees.");
    Files.writeString(dir.resolve("poison.txt"), "A value no column can hold: poison.");
    Files.writeString(dir.resolve("sail.txt"), "A sloop carries one mast and two sails.");
    discover("run-1", dir);

    IngestionService.BatchOutcome outcome;
    try (FailingTable refused =
        FailingTable.refusingData(jdbi, "INSERT", "chunks", "NEW.text LIKE '%poison%'")) {
      outcome = service.process("run-1", 0, 3, seq -> {});
    }

    assertThat(outcome.done()).isEqualTo(2);
    assertThat(outcome.failed()).isEqualTo(1);
    assertThat(outcome.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.source()).endsWith("poison.txt");
              assertThat(e.reason())
                  .contains(FailingTable.ERROR)
                  .doesNotContain("INSERT")
                  .endsWith("fix the document and ingest it again");
            });
    assertThat(database.count("documents WHERE status = 'active'")).isEqualTo(2);
    assertThat(
            database.count("documents WHERE status = 'failed' AND source_uri LIKE '%poison.txt'"))
        .isEqualTo(1);
    assertThat(database.count("chunks WHERE text LIKE '%poison%'")).isZero();
    assertThat(database.count("ingestion_items WHERE status = 'pending'")).isZero();
  }

  /**
   * A file or a JSONL record of nothing but invisible characters has no text the embedding model
   * reads: it fails alone, with why, and the other documents of its batch are stored (it used to
   * fail the whole batch, retried until the ingestion failed).
   */
  @Test
  void a_document_of_invisible_characters_fails_alone(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("zw.txt"), "\u200b\u200b\u00a0\n");
    Files.writeString(dir.resolve("bom.txt"), "\ufeffQuokkas live on Rottnest Island.\n");
    Files.writeString(dir.resolve("hangul.txt"), "\u3164".repeat(100));
    Files.writeString(
        dir.resolve("corpus.jsonl"),
        """
        {"_id": "blank", "title": "\\u200b", "text": "\\ufeff\\u2060"}
        {"_id": "tea", "title": "Tea", "text": "Green tea is brewed at eighty degrees."}
        {"_id": " ", "title": "No id", "text": "A record named by nothing."}
        """);
    discover("run-1", dir);

    IngestionService.BatchOutcome outcome = service.process("run-1", 0, 6, seq -> {});

    assertThat(outcome.done()).as("%s", outcome.errors()).isEqualTo(2);
    assertThat(outcome.errors())
        .extracting(IngestionService.ItemError::source, IngestionService.ItemError::reason)
        .containsExactlyInAnyOrder(
            tuple(
                dir.resolve("zw.txt").toString(),
                "no text in file (only white space or invisible characters)"),
            tuple(
                dir.resolve("hangul.txt").toString(),
                "no text in file (only white space or invisible characters)"),
            tuple(
                "blank",
                "JSONL document has neither title nor text (or only white space or invisible"
                    + " characters)"),
            tuple(
                dir.resolve("corpus.jsonl") + "#line-3",
                "JSONL line is not an object with a non-blank _id"));
    assertThat(database.count("chunks WHERE text LIKE '%Quokkas%'")).isEqualTo(1);
    assertThat(database.count("ingestion_items WHERE status = 'pending'")).isZero();
  }

  /**
   * A text the embedding model refuses though the chunker let it through fails its document alone:
   * the batch's other documents are embedded one by one and stored.
   */
  @Test
  void a_document_whose_text_the_model_refuses_fails_alone(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tea.txt"), "Green tea is brewed at eighty degrees.");
    Files.writeString(dir.resolve("odd.txt"), "A text this model will not take.");
    Files.writeString(dir.resolve("sail.txt"), "A sloop carries one mast and two sails.");
    IngestionService refusing =
        database.service(ServedIndexes.NONE, model -> new Refusing(model, "will not take"));
    discover("run-1", dir);

    IngestionService.BatchOutcome outcome = refusing.process("run-1", 0, 3, seq -> {});

    assertThat(outcome.done()).isEqualTo(2);
    assertThat(outcome.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.source()).endsWith("odd.txt");
              assertThat(e.reason()).startsWith("the embedding model refuses its text");
            });
    assertThat(database.count("documents WHERE status = 'active'")).isEqualTo(2);
  }

  /** A model that refuses, as the shipped ones refuse a blank text, any text holding a phrase. */
  private record Refusing(EmbeddingModel model, String phrase) implements EmbeddingModel {
    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
      if (segments.stream().anyMatch(s -> s.text().contains(phrase))) {
        throw new IllegalArgumentException("Cannot embed this text");
      }
      return model.embedAll(segments);
    }
  }

  @Test
  void an_uploaded_file_over_the_limit_is_rejected_by_its_stored_size() throws Exception {
    BlobStore blobs = new BlobStore(jdbi);
    byte[] tea = "Green tea is brewed at eighty degrees.".getBytes(StandardCharsets.UTF_8);
    byte[] sail = "A sloop carries one mast and two sails.".getBytes(StandardCharsets.UTF_8);
    blobs.put(Hashing.sha256(tea), tea);
    blobs.put(Hashing.sha256(sail), sail);
    // As the size of a blob too large to read into memory is recorded; its bytes are never read.
    jdbi.useHandle(
        h ->
            h.createUpdate("UPDATE blobs SET size_bytes = 5368709120 WHERE sha256 = :sha256")
                .bind("sha256", Hashing.sha256(sail))
                .execute());
    new CollectionRegistry(jdbi).ensure("notes");
    UUID manifest =
        new Manifests(jdbi)
            .store(
                "notes",
                "upload",
                List.of(
                    new ManifestEntry("notes/tea.txt", Hashing.sha256(tea), tea.length),
                    new ManifestEntry("notes/sail.txt", Hashing.sha256(sail), sail.length)));
    service.discover(
        new IngestionService.Request(
            "wf-run-1", "run-1", "notes", "upload", null, manifest, IndexParams.BASE, false),
        n -> {});

    IngestionService.BatchOutcome outcome = service.process("run-1", 0, 2, seq -> {});

    assertThat(outcome.done()).isEqualTo(1);
    assertThat(outcome.errors())
        .singleElement()
        .isEqualTo(
            new IngestionService.ItemError(
                "notes/sail.txt",
                "document is 5368709120 bytes, over the limit of 1048576"
                    + " (ENGRAM_MAX_DOCUMENT_BYTES)"));
  }

  @Test
  void documents_changed_since_discovery_fail_alone(@TempDir Path dir) throws Exception {
    // Lines of one length: once the first is removed, its byte range holds the second line whole.
    String d1 = "{\"_id\": \"d1\", \"text\": \"Green tea is brewed hot.\"}\n";
    String d2 = "{\"_id\": \"d2\", \"text\": \"A sloop carries one mast\"}\n";
    String d3 = "{\"_id\": \"d3\", \"text\": \"Bees dance to show food.\"}\n";
    assertThat(d1).hasSameSizeAs(d2).hasSameSizeAs(d3);
    Files.writeString(dir.resolve("corpus.jsonl"), d1 + d2 + d3);
    Files.writeString(dir.resolve("edited.txt"), "Oolong is half oxidised.");
    Files.writeString(dir.resolve("tea.txt"), "Green tea is brewed at eighty degrees.");
    assertThat(discover("run-1", dir).pending()).isEqualTo(5);

    Files.writeString(dir.resolve("corpus.jsonl"), d2 + d3);
    Files.writeString(dir.resolve("edited.txt"), "Oolong is partly oxidised.");
    IngestionService.BatchOutcome outcome = service.process("run-1", 0, 6, seq -> {});

    assertThat(outcome.done()).isEqualTo(1);
    assertThat(outcome.errors())
        .extracting(IngestionService.ItemError::source, IngestionService.ItemError::reason)
        .containsExactlyInAnyOrder(
            tuple("d1", "line changed since discovery; ingest again"),
            tuple("d2", "line changed since discovery; ingest again"),
            tuple("d3", "line changed since discovery; ingest again"),
            tuple(
                dir.resolve("edited.txt").toString(),
                "file changed since discovery; ingest again"));
    assertThat(database.count("documents WHERE status = 'active'")).isEqualTo(1);
    assertThat(database.count("chunks WHERE text LIKE '%eighty degrees%'")).isEqualTo(1);

    // The next run discovers the corpus as it is now and ingests it.
    discover("run-2", dir);
    assertThat(service.process("run-2", 0, 3, seq -> {}).done()).isEqualTo(3);
    assertThat(string("SELECT title FROM documents WHERE source_uri LIKE '%edited.txt'"))
        .isEqualTo("edited.txt");
    assertThat(database.count("documents WHERE status = 'active'")).isEqualTo(4);
  }

  private IngestionService.Discovery discover(String runId, Path path) throws Exception {
    String origin = path.toString();
    return service.discover(
        new IngestionService.Request(
            "wf-" + runId, runId, "notes", origin, origin, null, IndexParams.BASE, false),
        n -> {});
  }

  private String string(String sql) {
    return jdbi.withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
  }
}
