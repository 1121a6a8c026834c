package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.evaluation.AnswerMetrics;
import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.testing.EngramServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebuild reads a collection's live documents again from where their last ingestion read them
 * (files and a JSONL corpus) into another index version, keeps their origins, tombstones nothing,
 * skips what that version holds already, and refuses a collection it cannot rebuild whole; on a
 * real PostgreSQL with a real embedding model.
 */
@EngramServices
class RebuildIT {

  private static final List<String> MODELS = List.of("all-minilm-l6-v2-q", "bge-small-en-v1.5-q");

  private IngestionDatabase database;
  private Jdbi jdbi;
  private IndexVersions versions;
  private IngestionService service;
  private final AtomicReference<Integer> serving = new AtomicReference<>();
  private final Set<Integer> standby = new LinkedHashSet<>();
  private int runs;

  @BeforeEach
  void setUp() {
    database = new IngestionDatabase("rebuild_it");
    jdbi = database.jdbi;
    versions = database.versions;
    service =
        database.service(
            new ServedIndexes() {
              @Override
              public Optional<Integer> serving(String collection) {
                return Optional.ofNullable(serving.get());
              }

              @Override
              public Set<Integer> servable(String collection) {
                Set<Integer> all = new LinkedHashSet<>();
                serving(collection).ifPresent(all::add);
                all.addAll(standby);
                return all;
              }
            });
  }

  @AfterEach
  void tearDown() {
    database.close();
  }

  @Test
  void the_live_documents_are_rebuilt_into_the_asked_chunking_with_their_origins_kept(
      @TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(dir.resolve("a.txt"), "Green tea is brewed at eighty degrees. ".repeat(20));
    Files.writeString(dir.resolve("gone.txt"), "A sloop carries one mast and two sails.");
    Path corpus = tmp.resolve("corpus.jsonl");
    Files.writeString(
        corpus,
        """
        {"_id":"d1","title":"Bees","text":"Bees dance to show where food is."}
        {"_id":"d2","title":"Oolong","text":"Oolong is half oxidised."}
        """);
    ingest(dir, null);
    ingest(corpus, null);
    Files.delete(dir.resolve("gone.txt"));
    ingest(dir, null); // tombstones gone.txt
    int champion = versions.champion().orElseThrow().id();
    List<String> originsBefore = origins();

    IngestionService.Discovery rebuilt = rebuild(128);

    assertThat(rebuilt.indexVersionId()).isNotEqualTo(champion);
    assertThat(rebuilt.total()).isEqualTo(3);
    assertThat(rebuilt.pending()).isEqualTo(3);
    assertThat(rebuilt.tombstoned()).isZero();
    // Every live document has chunks in the new version, the long one several of them.
    assertThat(chunks(rebuilt.indexVersionId()))
        .containsKeys(dir.resolve("a.txt").toString(), corpus + "#d1", corpus + "#d2")
        .doesNotContainKey(dir.resolve("gone.txt").toString());
    assertThat(chunks(rebuilt.indexVersionId()).get(dir.resolve("a.txt").toString()))
        .isGreaterThan(chunks(champion).get(dir.resolve("a.txt").toString()));
    assertThat(origins()).isEqualTo(originsBefore);
    assertThat(database.count("documents WHERE status = 'tombstoned'")).isEqualTo(1);

    // Rebuilt again, the version holds every document already.
    IngestionService.Discovery again = rebuild(128);
    assertThat(again.indexVersionId()).isEqualTo(rebuilt.indexVersionId());
    assertThat(again.pending()).isZero();
    assertThat(again.skipped()).isEqualTo(3);
  }

  @Test
  void a_rebuild_with_another_embedding_model_embeds_the_documents_with_that_model(
      @TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(dir.resolve("a.txt"), "Green tea is brewed at eighty degrees. ".repeat(20));
    Files.writeString(dir.resolve("b.txt"), "A sloop carries one mast and two sails.");
    ingest(dir, null);
    IndexVersion champion = versions.champion().orElseThrow();
    String other =
        MODELS.stream().filter(m -> !m.equals(champion.embeddingModel())).findFirst().orElseThrow();

    IngestionService.Discovery rebuilt =
        run(rebuildRequest("notes", new IndexParams(other, null, null)));

    IndexVersion index = versions.byId(rebuilt.indexVersionId()).orElseThrow();
    assertThat(index.id()).isNotEqualTo(champion.id());
    assertThat(index.embeddingModel()).isEqualTo(other);
    // The chunking is the serving index's: the same chunks, embedded by the other model.
    assertThat(List.of(index.chunkSize(), index.chunkOverlap()))
        .containsExactly(champion.chunkSize(), champion.chunkOverlap());
    assertThat(chunks(index.id())).isEqualTo(chunks(champion.id()));
    EmbeddingModel asked = EmbeddingModels.get(other);
    EmbeddingModel served = EmbeddingModels.get(champion.embeddingModel());
    Map<String, float[]> stored = vectors(index.id());
    assertThat(stored).hasSize(chunks(index.id()).values().stream().mapToInt(n -> n).sum());
    stored.forEach(
        (text, vector) -> {
          assertThat(AnswerMetrics.cosine(vector, asked.embed(text).content().vector()))
              .as("%s", text)
              .isGreaterThan(0.999);
          assertThat(AnswerMetrics.cosine(vector, served.embed(text).content().vector()))
              .isLessThan(0.9);
        });
    // An unknown model is refused before anything is created.
    long indexes = database.count("index_versions");
    assertThatThrownBy(() -> run(rebuildRequest("notes", new IndexParams("gpt-9", null, null))))
        .isInstanceOf(IngestionService.InvalidSourceException.class)
        .hasMessageContaining("unknown embedding model 'gpt-9'");
    assertThat(database.count("index_versions")).isEqualTo(indexes);
  }

  @Test
  void once_a_rebuilt_index_serves_new_documents_go_there_and_a_rebuild_catches_it_up(
      @TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(dir.resolve("a.txt"), "Green tea is brewed at eighty degrees.");
    ingest(dir, null);
    int rebuilt = rebuild(128).indexVersionId();
    Path late = Files.writeString(tmp.resolve("late.txt"), "Oolong is half oxidised.");
    ingest(late, null); // while the rebuilt index is a candidate: into the champion's only

    serving.set(rebuilt); // promoted
    assertThat(chunks(rebuilt)).doesNotContainKey(late.toString());
    IngestionService.Discovery caughtUp = rebuild(128);
    assertThat(caughtUp.pending()).isEqualTo(1); // only what the index lacks is embedded
    assertThat(chunks(rebuilt)).containsKey(late.toString());
    Path newer = Files.writeString(tmp.resolve("newer.txt"), "Bees dance to show where food is.");
    IngestionService.Discovery plain = ingest(newer, null);
    assertThat(plain.indexVersionId()).isEqualTo(rebuilt);
    assertThat(chunks(rebuilt)).containsKey(newer.toString());
  }

  @Test
  void the_indexes_a_collection_can_serve_from_besides_the_run_s_follow_it(@TempDir Path tmp)
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(dir.resolve("a.txt"), "Green tea is brewed at eighty degrees.");
    int champion = ingest(dir, null).indexVersionId();
    assertThat(service.following("notes", champion)).isEmpty();

    int candidate = rebuild(128).indexVersionId();
    standby.add(candidate); // a rollout's candidate, or a staged version, searches it
    int other = rebuild(256).indexVersionId(); // searched by no version: it does not follow

    assertThat(service.following("notes", champion))
        .extracting(IndexVersion::id)
        .containsExactly(candidate)
        .doesNotContain(other);
    serving.set(candidate); // promoted: the old champion's index is the undo target's
    standby.clear();
    standby.add(champion);
    assertThat(service.following("notes", candidate))
        .extracting(IndexVersion::id)
        .containsExactly(champion);
  }

  @Test
  void lines_of_a_corpus_whose_earlier_lines_were_edited_are_found_at_their_new_offsets(
      @TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("corpus.jsonl");
    Files.writeString(
        corpus,
        """
        {"_id":"d1","text":"Bees dance."}
        {"_id":"d2","text":"Oolong is half oxidised."}
        {"_id":"d3","text":"A sloop carries one mast."}
        """);
    ingest(corpus, null);
    // The first line grows: the unchanged d2 and d3 move, but their items keep the old ranges.
    Files.writeString(
        corpus,
        """
        {"_id":"d1","text":"Bees dance to show their hive mates where the flowers are."}
        {"_id":"d2","text":"Oolong is half oxidised."}
        {"_id":"d3","text":"A sloop carries one mast."}
        """);
    assertThat(ingest(corpus, null).pending()).isEqualTo(1);

    IngestionService.Discovery rebuilt = rebuild(128); // run() asserts that none failed

    assertThat(chunks(rebuilt.indexVersionId()))
        .containsOnlyKeys(corpus + "#d1", corpus + "#d2", corpus + "#d3");
  }

  @Test
  void a_document_removed_while_the_rebuild_runs_gets_no_chunks_in_the_rebuilt_index(
      @TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(dir.resolve("a.txt"), "Green tea is brewed at eighty degrees.");
    Files.writeString(dir.resolve("b.txt"), "A sloop carries one mast and two sails.");
    ingest(dir, null);
    String runId = "run-" + ++runs;
    IngestionService.Discovery discovery =
        service.discover(
            new IngestionService.Request(
                "wf-" + runId,
                runId,
                "notes",
                "(rebuild)",
                null,
                null,
                IndexParams.chunking(128, 32),
                true),
            n -> {});
    Files.delete(dir.resolve("b.txt"));
    ingest(dir, null); // tombstones b.txt between the rebuild's discovery and its batch

    IngestionService.BatchOutcome outcome =
        service.process(runId, 0, discovery.pending(), seq -> {});

    assertThat(outcome.failed()).isZero();
    assertThat(chunks(discovery.indexVersionId()))
        .containsOnlyKeys(dir.resolve("a.txt").toString());
  }

  @Test
  void the_rebuild_origin_is_refused_for_an_ordinary_ingestion(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("a.txt"), "Green tea is brewed at eighty degrees.");

    assertThatThrownBy(
            () ->
                service.discover(
                    new IngestionService.Request(
                        "wf-x",
                        "run-x",
                        "notes",
                        "(rebuild)",
                        file.toString(),
                        null,
                        IndexParams.BASE,
                        false),
                    n -> {}))
        .isInstanceOf(IngestionService.InvalidSourceException.class)
        .hasMessageContaining("reserved for rebuilds");
  }

  @Test
  void a_collection_with_a_document_of_no_recorded_source_is_not_rebuilt(@TempDir Path tmp)
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(dir.resolve("a.txt"), "Green tea is brewed at eighty degrees.");
    Files.writeString(dir.resolve("b.txt"), "A sloop carries one mast and two sails.");
    ingest(dir, null);
    jdbi.useHandle(
        h ->
            h.execute(
                "DELETE FROM ingestion_items WHERE source_uri = ?",
                dir.resolve("b.txt").toString()));

    assertThatThrownBy(() -> rebuild(128))
        .isInstanceOf(IngestionService.InvalidSourceException.class)
        .hasMessageContaining("1 of the 2 documents of collection 'notes' have no recorded source");
    assertThatThrownBy(() -> rebuildOf("empty", 128))
        .isInstanceOf(IngestionService.InvalidSourceException.class)
        .hasMessageContaining("has no documents to rebuild");
  }

  /** Ingests a path as the API does for a server-side path: the path is its own origin. */
  private IngestionService.Discovery ingest(Path path, Integer chunkSize) throws Exception {
    String runId = "run-" + ++runs;
    String origin = path.toString();
    return run(
        new IngestionService.Request(
            "wf-" + runId,
            runId,
            "notes",
            origin,
            origin,
            null,
            IndexParams.chunking(chunkSize, null),
            false));
  }

  private IngestionService.Discovery rebuild(int chunkSize) throws Exception {
    return rebuildOf("notes", chunkSize);
  }

  private IngestionService.Discovery rebuildOf(String collection, int chunkSize) throws Exception {
    return run(rebuildRequest(collection, IndexParams.chunking(chunkSize, 32)));
  }

  private IngestionService.Request rebuildRequest(String collection, IndexParams index) {
    String runId = "run-" + ++runs;
    return new IngestionService.Request(
        "wf-" + runId, runId, collection, "(rebuild)", null, null, index, true);
  }

  /** Each chunk's text with its stored vector. */
  private Map<String, float[]> vectors(int indexVersionId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT text, embedding::text AS v FROM chunks WHERE index_version_id = :v")
                .bind("v", indexVersionId)
                .reduceRows(
                    new HashMap<String, float[]>(),
                    (m, row) -> {
                      String[] parts =
                          row.getColumn("v", String.class).replaceAll("[\\[\\]]", "").split(",");
                      float[] vector = new float[parts.length];
                      for (int i = 0; i < parts.length; i++) {
                        vector[i] = Float.parseFloat(parts[i]);
                      }
                      m.put(row.getColumn("text", String.class), vector);
                      return m;
                    }));
  }

  private IngestionService.Discovery run(IngestionService.Request request) throws Exception {
    IngestionService.Discovery discovery = service.discover(request, n -> {});
    IngestionService.BatchOutcome outcome =
        service.process(request.runId(), 0, discovery.pending(), seq -> {});
    assertThat(outcome.failed()).as("%s", outcome.errors()).isZero();
    return discovery;
  }

  private Map<String, Integer> chunks(int indexVersionId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT d.source_uri, count(*)::int AS n FROM chunks c"
                        + " JOIN documents d ON d.id = c.document_id"
                        + " WHERE c.index_version_id = :v GROUP BY d.source_uri")
                .bind("v", indexVersionId)
                .reduceRows(
                    new HashMap<String, Integer>(),
                    (m, row) -> {
                      m.put(
                          row.getColumn("source_uri", String.class),
                          row.getColumn("n", Integer.class));
                      return m;
                    }));
  }

  private List<String> origins() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT source_uri || ' ' || origin FROM documents ORDER BY source_uri")
                .mapTo(String.class)
                .list());
  }
}
