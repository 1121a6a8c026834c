package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.Database;
import io.engram.core.db.EngramJdbi;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.BlobStore;
import io.engram.core.ingestion.DocumentReader;
import io.engram.core.ingestion.IngestionService;
import io.engram.core.query.ExchangeListener;
import io.engram.core.query.QueryPipelines;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.retrieval.Candidate;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.ingestion.DocumentError;
import io.engram.workflows.ingestion.IngestionProgress;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.engram.workflows.ingestion.ValidationReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end against a real PostgreSQL + pgvector and the real Temporal dev server, both started by
 * the test: the ingestion workflow run by a real worker, including one in a separate JVM that is
 * killed mid-run.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class IngestionIT {
  /** The quantized MiniLM is the fastest shipped model, which keeps the suite short. */
  private static final String MODEL = "all-minilm-l6-v2-q";

  private Map<String, String> values;
  private EngramSettings settings;
  private HikariDataSource db;
  private CoreServices core;
  private WorkflowServiceStubs service;
  private WorkflowClient client;

  @BeforeAll
  void setUp() throws Exception {
    values =
        TestSettings.withTemporal(
            EngramServicesExtension.postgres().createDatabase("ingestion_it"), Map.of());
    settings = EngramSettings.of(values);
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(settings.temporal().address())
                .build());
    client = WorkflowClient.newInstance(service);
  }

  @AfterAll
  void tearDown() {
    if (db != null) {
      db.close();
    }
    if (core != null) {
      core.close();
    }
    service.shutdown();
  }

  private Jdbi jdbi() {
    return EngramJdbi.create(db());
  }

  private HikariDataSource db() {
    if (db == null) {
      db = Database.connect(settings.database(), "it", 4);
    }
    return db;
  }

  @Test
  void a_bad_document_fails_alone_and_the_good_ones_are_searchable(@TempDir Path dir)
      throws Exception {
    write(
        dir.resolve("notes.md"),
        "# Myelin\n\nMyelin loss in multiple sclerosis follows an autoimmune attack on oligodendrocytes.\n");
    write(
        dir.resolve("sub/vitd.txt"),
        "Vitamin D deficiency is associated with fracture risk in the elderly.");
    write(
        dir.resolve("sleep.html"),
        "<html><head><title>Sleep</title></head><body><p>Sleep deprivation impairs memory consolidation.</p></body></html>");
    write(dir.resolve("facts.csv"), "drug,effect\naspirin,reduces platelet aggregation\n");
    write(
        dir.resolve("claim.json"),
        "{\"topic\":\"statins\",\"claim\":\"Statins lower LDL cholesterol\"}");
    writePdf(
        dir.resolve("photosynthesis.pdf"),
        "Photosynthesis converts light energy into chemical energy in chloroplasts.");
    write(dir.resolve("broken.pdf"), "%PDF-1.4\n1 0 obj this is not a real pdf\n");
    byte[] binary = new byte[4096];
    new Random(7).nextBytes(binary);
    Files.write(dir.resolve("image.bin"), binary);
    Files.write(dir.resolve("binary.txt"), binary);
    write(dir.resolve("empty.txt"), "");

    EngramWorker worker = EngramWorker.start(settings);
    try {
      IngestionProgress result = ingest("mixed", dir);
      assertThat(result.total()).isEqualTo(10);
      assertThat(result.done()).isEqualTo(6);
      assertThat(result.failed()).isEqualTo(4);
      assertThat(result.errors())
          .extracting(DocumentError::source, DocumentError::reason)
          .anySatisfy(e -> assertThat(e.toList().get(0).toString()).endsWith("broken.pdf"))
          .anySatisfy(
              e -> assertThat(e.toList().get(1).toString()).contains("unsupported file type"))
          .anySatisfy(e -> assertThat(e.toList().get(1).toString()).contains("empty file"))
          .anySatisfy(e -> assertThat(e.toList().get(1).toString()).contains("binary"));
      assertThat(
              result.errors().stream()
                  .filter(e -> e.source().endsWith("broken.pdf"))
                  .findFirst()
                  .orElseThrow()
                  .reason())
          .startsWith("cannot parse PDF");

      Retriever retriever = new Retriever();
      assertThat(retriever.retrieve("mixed", "what causes myelin loss", 3).get(0).source())
          .endsWith("notes.md");
      assertThat(
              retriever
                  .retrieve("mixed", "how do plants turn light into energy", 3)
                  .get(0)
                  .source())
          .endsWith("photosynthesis.pdf");
      assertThat(retriever.retrieve("mixed", "sleep and memory", 3).get(0).title())
          .isEqualTo("Sleep");
      assertThat(
              scalar(
                  "SELECT count(*) FROM documents WHERE collection = 'mixed' AND status = 'failed'"))
          .isEqualTo(4);
    } finally {
      worker.close();
    }
  }

  @Test
  void reingest_skips_unchanged_replaces_changed_and_tombstones_removed(@TempDir Path dir)
      throws Exception {
    for (int i = 0; i < 5; i++) {
      write(
          dir.resolve("doc" + i + ".txt"),
          "Document number " + i + " talks about topic " + (i * 17) + ".");
    }
    EngramWorker worker = EngramWorker.start(settings);
    try {
      IngestionProgress first = ingest("incremental", dir);
      assertThat(first.done()).isEqualTo(5);
      // Validated against the index: all five hold their chunks and are found by search.
      assertThat(first.validation())
          .isEqualTo(new ValidationReport(5, 0, 5, 0, List.of(), List.of()));
      long cacheAfterFirst = scalar("SELECT count(*) FROM embedding_cache");

      IngestionProgress unchanged = ingest("incremental", dir);
      assertThat(unchanged.skipped()).isEqualTo(5);
      assertThat(unchanged.done()).isZero();
      assertThat(unchanged.chunks()).isZero();
      assertThat(unchanged.validation()).as("a run that stored nothing validates nothing").isNull();

      write(
          dir.resolve("doc1.txt"), "Document number one now covers glaciers melting in Greenland.");
      Files.delete(dir.resolve("doc4.txt"));
      write(dir.resolve("doc5.txt"), "A new document about coral reef bleaching.");
      IngestionProgress changed = ingest("incremental", dir);
      assertThat(changed.total()).isEqualTo(5);
      assertThat(changed.skipped()).isEqualTo(3);
      assertThat(changed.done()).isEqualTo(2);
      assertThat(changed.tombstoned()).isEqualTo(1);
      assertThat(changed.tombstonedSample()).singleElement().asString().endsWith("doc4.txt");

      assertThat(texts("incremental", "doc1.txt"))
          .containsExactly("Document number one now covers glaciers melting in Greenland.");
      assertThat(texts("incremental", "doc4.txt")).isEmpty();
      assertThat(
              scalar(
                  "SELECT count(*) FROM documents WHERE collection = 'incremental' AND status = 'tombstoned'"))
          .isEqualTo(1);
      // Only the two new texts were embedded: unchanged ones came from nowhere near the model.
      assertThat(scalar("SELECT count(*) FROM embedding_cache")).isEqualTo(cacheAfterFirst + 2);
    } finally {
      worker.close();
    }
  }

  @Test
  void documents_ingested_while_a_version_on_another_index_is_staged_reach_that_index_too(
      @TempDir Path dir) throws Exception {
    write(dir.resolve("tea.txt"), "Green tea is brewed at eighty degrees.");
    EngramWorker worker = EngramWorker.start(settings);
    try {
      assertThat(ingest("follow", dir).done()).isEqualTo(1);
      // A retraining's rebuild: the collection's documents in an index of other chunking, and a
      // version on it that passed its gates.
      IngestionProgress rebuilt =
          run(
              "follow-rebuild",
              IngestionRequest.rebuild(
                  "follow", new io.engram.workflows.ingestion.IndexParams(null, 128, 32)));
      int staged = rebuilt.indexVersionId();
      CoreServices core = core();
      int serving = core.champion().id();
      assertThat(staged).isNotEqualTo(serving);
      core.registry()
          .register(
              ModelVersions.NewVersion.builder("follow", staged, core.defaultBundle())
                  .createdBy("test")
                  .reason("passed its gates on a rebuilt index")
                  .origin("test")
                  .build(),
              List.of(ModelAliases.STAGING),
              new ModelRegistry.Change("test", "staged by the test", "retrain-follow"));

      write(dir.resolve("sloop.txt"), "A sloop carries one mast and two sails.");
      WorkflowExecution run = start("follow", dir);
      IngestionProgress second =
          client.newUntypedWorkflowStub(run.getWorkflowId()).getResult(IngestionProgress.class);

      assertThat(second.done()).isEqualTo(1);
      assertThat(second.indexVersionId()).isEqualTo(serving);
      // The follower runs on after the ingestion: wait for it.
      IngestionProgress followed =
          client
              .newUntypedWorkflowStub(
                  run.getWorkflowId() + "/index-" + staged + "/" + run.getRunId())
              .getResult(IngestionProgress.class);
      // It embedded only what its index lacked.
      assertThat(List.of(followed.done(), followed.skipped())).containsExactly(1, 1);
      String sloop =
          "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id"
              + " WHERE d.collection = 'follow' AND d.source_uri LIKE '%/sloop.txt'"
              + " AND c.index_version_id = ";
      assertThat(scalar(sloop + serving)).isPositive();
      assertThat(scalar(sloop + staged)).as("the staged version's index followed").isPositive();
    } finally {
      worker.close();
    }
  }

  @Test
  void a_beir_corpus_is_one_document_per_line_with_its_external_id(@TempDir Path dir)
      throws Exception {
    Path corpus = dir.resolve("corpus.jsonl");
    write(
        corpus,
        """
        {"_id": "d1", "title": "Aspirin", "text": "Aspirin reduces the risk of heart attack."}
        {"_id": "d2", "title": "Coffee", "text": "Coffee consumption and liver health."}
        this line is not json
        {"_id": "d3", "title": "", "text": ""}
        {"_id": "d4", "title": "Exercise", "text": "Exercise improves insulin sensitivity."}
        """);
    EngramWorker worker = EngramWorker.start(settings);
    try {
      IngestionProgress result = ingest("beir", corpus);
      assertThat(result.total()).isEqualTo(5);
      assertThat(result.done()).isEqualTo(3);
      assertThat(result.failed()).isEqualTo(2);
      assertThat(result.errors())
          .extracting(DocumentError::source)
          .containsExactlyInAnyOrder(corpus + "#line-3", "d3");
      Retriever retriever = new Retriever();
      var hit = retriever.retrieve("beir", "does aspirin prevent heart attacks", 1).get(0);
      assertThat(hit.source()).isEqualTo("d1");
      assertThat(hit.title()).isEqualTo("Aspirin");
    } finally {
      worker.close();
    }
  }

  @Test
  void a_retried_batch_reports_the_whole_range_and_stores_nothing_twice(@TempDir Path dir)
      throws Exception {
    for (int i = 0; i < 10; i++) {
      write(dir.resolve("n" + i + ".txt"), "Note " + i + " is about subject " + (i * 31) + ".");
    }
    io.engram.migrations.Migrations.migrate(db());
    IndexVersions versions = new IndexVersions(jdbi());
    versions.ensureChampion(MODEL, 1024, 200);
    IngestionService service =
        new IngestionService(
            jdbi(),
            versions,
            new BlobStore(jdbi()),
            new DocumentReader(1 << 20),
            m -> new CachedEmbedder(jdbi(), m, EmbeddingModels.get(m)));
    String origin = dir.toString();
    IngestionService.Request request =
        new IngestionService.Request(
            "wf-partial", "run-partial", "partial", origin, origin, null, IndexParams.BASE, false);
    var discovery = service.discover(request, n -> {});
    assertThat(discovery.pending()).isEqualTo(10);

    // A first attempt dies after storing four documents of the range...
    assertThat(service.process("run-partial", 0, 4, seq -> {}).done()).isEqualTo(4);
    // ...and its retry covers the whole range: it stores only the other six, reports all ten.
    IngestionService.BatchOutcome retry = service.process("run-partial", 0, 10, seq -> {});
    assertThat(retry.done()).isEqualTo(10);
    assertThat(retry.chunks()).isEqualTo(10);
    assertThat(
            scalar(
                "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.collection = 'partial'"))
        .isEqualTo(10);
    // Discovery is idempotent by run id: a retried discovery returns the same result.
    assertThat(service.discover(request, n -> {})).isEqualTo(discovery);
  }

  @Test
  void a_second_request_for_the_same_source_attaches_to_the_running_one(@TempDir Path dir)
      throws Exception {
    write(dir.resolve("a.txt"), "Attach, do not race.");
    // No worker yet: the first run stays open, so the second start must find it.
    WorkflowExecution first = start("attach", dir);
    WorkflowExecution second = start("attach", dir);
    assertThat(second.getRunId()).isEqualTo(first.getRunId());
    EngramWorker worker = EngramWorker.start(settings);
    try {
      IngestionProgress result =
          client.newUntypedWorkflowStub(first.getWorkflowId()).getResult(IngestionProgress.class);
      assertThat(result.done()).isEqualTo(1);
    } finally {
      worker.close();
    }
  }

  @Test
  void a_killed_worker_is_replaced_and_the_run_finishes_with_every_chunk_exactly_once(
      @TempDir Path dir) throws Exception {
    Path corpus = dir.resolve("corpus.jsonl");
    StringBuilder lines = new StringBuilder();
    Random random = new Random(42);
    String[] words = {
      "protein", "cell", "gene", "tumor", "immune", "neuron", "enzyme", "receptor", "signal", "dose"
    };
    int docs = 400;
    for (int i = 0; i < docs; i++) {
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 220; w++) {
        text.append(words[random.nextInt(words.length)]).append(w % 12 == 11 ? ". " : " ");
      }
      lines
          .append("{\"_id\":\"k")
          .append(i)
          .append("\",\"title\":\"Doc ")
          .append(i)
          .append("\",\"text\":\"")
          .append(text.toString().strip())
          .append("\"}\n");
    }
    write(corpus, lines.toString());

    Process first = WorkerProcesses.start(values);
    WorkflowExecution run = start("killed", corpus);
    IngestionWorkflow stub = client.newWorkflowStub(IngestionWorkflow.class, run.getWorkflowId());
    waitUntil(
        () -> progressOrNull(stub) != null && progressOrNull(stub).done() >= 64,
        Duration.ofMinutes(4));
    first.destroyForcibly().waitFor();
    // Mid-run for real: some documents are stored, others are not.
    long storedAtKill =
        scalar(
            "SELECT count(*) FROM ingestion_items WHERE status = 'done' AND run_id = '"
                + run.getRunId()
                + "'");
    assertThat(storedAtKill).isBetween(64L, docs - 1L);

    Process second = WorkerProcesses.start(values);
    try {
      IngestionProgress result =
          client.newUntypedWorkflowStub(run.getWorkflowId()).getResult(IngestionProgress.class);
      assertThat(result.failed()).isZero();
      assertThat(result.done()).isEqualTo(docs);
    } finally {
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);
    }
    long documents =
        scalar("SELECT count(*) FROM documents WHERE collection = 'killed' AND status = 'active'");
    long indexed =
        scalar(
            "SELECT count(*) FROM document_indexes di JOIN documents d ON d.id = di.document_id WHERE d.collection = 'killed'");
    long chunks =
        scalar(
            "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.collection = 'killed'");
    long expectedChunks =
        scalar(
            "SELECT sum(chunk_count) FROM document_indexes di JOIN documents d ON d.id = di.document_id WHERE d.collection = 'killed'");
    long distinct =
        scalar(
            "SELECT count(DISTINCT (c.document_id, c.ordinal)) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.collection = 'killed'");
    assertThat(documents).isEqualTo(docs);
    assertThat(indexed).isEqualTo(docs);
    assertThat(chunks).isEqualTo(expectedChunks).isEqualTo(distinct);
    // Every document has its ordinals 0..n-1 with no gap.
    assertThat(
            scalar(
                "SELECT count(*) FROM (SELECT c.document_id FROM chunks c JOIN documents d ON d.id = c.document_id"
                    + " WHERE d.collection = 'killed' GROUP BY c.document_id HAVING max(c.ordinal) + 1 <> count(*)) gaps"))
        .isZero();
  }

  /** Queries need a worker; while none is polling (starting, just killed) there is no answer. */
  private static IngestionProgress progressOrNull(IngestionWorkflow stub) {
    try {
      return stub.progress();
    } catch (WorkflowException e) {
      return null;
    }
  }

  /** Dense-only retrieval over the champion, through the query path's pipeline. */
  private final class Retriever {
    List<io.engram.core.store.PgVectorChunkStore.ChunkHit> retrieve(
        String collection, String query, int k) throws Exception {
      QueryPipelines pipelines =
          core().queryPipelines(new SimpleMeterRegistry(), ExchangeListener.NONE);
      return pipelines
          .forIndex(
              pipelines.champion().version().index(),
              settings.retrieval().withMode(RetrievalSettings.Mode.DENSE).withRerank(false))
          .retrieve(collection, query, k, true)
          .candidates()
          .stream()
          .map(Candidate::chunk)
          .toList();
    }
  }

  private WorkflowExecution start(String collection, Path source) {
    String origin = source.toString();
    IngestionWorkflow workflow =
        client.newWorkflowStub(
            IngestionWorkflow.class, IngestionWorkflow.startOptions(collection, origin));
    return WorkflowClient.start(
        workflow::ingest, new IngestionRequest(collection, origin, origin, null, null, null));
  }

  private IngestionProgress run(String workflowId, IngestionRequest request) {
    IngestionWorkflow workflow =
        client.newWorkflowStub(
            IngestionWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TaskQueues.INGEST)
                .build());
    return workflow.ingest(request);
  }

  private CoreServices core() {
    if (core == null) {
      core = CoreServices.open(settings, "it", 4);
    }
    return core;
  }

  private IngestionProgress ingest(String collection, Path source) {
    WorkflowExecution execution = start(collection, source);
    return client
        .newUntypedWorkflowStub(execution.getWorkflowId())
        .getResult(IngestionProgress.class);
  }

  private long scalar(String sql) throws Exception {
    try (Connection c = db().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private List<String> texts(String collection, String fileName) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT c.text FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.collection = '"
                    + collection
                    + "' AND d.source_uri LIKE '%/"
                    + fileName
                    + "' ORDER BY c.ordinal")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static void writePdf(Path file, String text) throws IOException {
    try (PDDocument pdf = new PDDocument()) {
      PDPage page = new PDPage();
      pdf.addPage(page);
      try (PDPageContentStream content = new PDPageContentStream(pdf, page)) {
        content.beginText();
        content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
        content.newLineAtOffset(72, 700);
        content.showText(text);
        content.endText();
      }
      pdf.save(file.toFile());
    }
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitUntil(Condition condition, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(condition::holds);
  }
}
