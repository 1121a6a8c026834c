package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.engram.core.collection.CollectionCatalog;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersion;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a tenant's collections hold and the removal of one document, over documents a real ingestion
 * stored (and a rebuild copied into a second index) on a real PostgreSQL.
 */
@EngramServices
class CollectionCatalogIT {
  private IngestionDatabase database;
  private IngestionService service;
  private CollectionCatalog catalog;
  private CollectionRegistry registry;
  private int runs;

  @BeforeEach
  void setUp() {
    database = new IngestionDatabase("collection_catalog_it");
    service = database.service();
    registry = new CollectionRegistry(database.jdbi);
    catalog = new CollectionCatalog(database.jdbi, registry, database.versions, ServedIndexes.NONE);
  }

  @AfterEach
  void tearDown() {
    database.close();
  }

  @Test
  void collections_count_their_documents_by_status_and_list_them_page_by_page(@TempDir Path tmp)
      throws Exception {
    Path notes = notes(tmp);
    ingest("notes", notes);
    ingest("recipes", Files.createDirectories(tmp.resolve("recipes")));

    // The default collection exists from the first migration on.
    assertThat(catalog.collections(Tenant.DEFAULT))
        .containsExactly(
            new CollectionCatalog.Summary("default", 0, 0, 0),
            new CollectionCatalog.Summary("notes", 3, 1, 0),
            new CollectionCatalog.Summary("recipes", 0, 0, 0));
    assertThat(catalog.collections(new Tenant("acme"))).isEmpty();

    CollectionCatalog.Page first = catalog.documents("notes", Optional.empty(), 0, 3);
    assertThat(first.documents()).hasSize(3);
    assertThat(first.next()).isEqualTo(first.documents().get(2).id());
    CollectionCatalog.Page rest = catalog.documents("notes", Optional.empty(), first.next(), 3);
    assertThat(rest.documents()).hasSize(1);
    assertThat(rest.next()).isNull();
    CollectionCatalog.Page failed = catalog.documents("notes", Optional.of("failed"), 0, 10);
    assertThat(failed.documents())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.sourceUri()).endsWith("empty.txt");
              assertThat(d.error()).isNotBlank();
            });
    assertThatThrownBy(() -> catalog.documents("notes", Optional.of("gone"), 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no status 'gone'; one of active, failed, tombstoned");
    assertThatThrownBy(() -> catalog.documents("notes", Optional.empty(), 0, 501))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_removed_document_leaves_every_index_and_an_ingestion_of_its_source_stores_it_again(
      @TempDir Path tmp) throws Exception {
    Path notes = notes(tmp);
    registry.ensure("notes");
    long created = registry.generation("notes");
    ingest("notes", notes);
    // A second index version holds the collection too.
    IngestionService.Discovery rebuilt =
        service.discover(request("notes", null, IndexParams.chunking(256, 32), true), n -> {});
    service.process("run-" + runs, 0, rebuilt.pending(), seq -> {});
    long id = id("tea.txt");
    long chunksBefore = database.count("chunks");
    // Each document stored moved the collection's generation on: three in each of two indexes.
    long generation = registry.generation("notes");
    assertThat(generation - created).isEqualTo(6);
    long recipes = registry.generation("recipes");
    CollectionCatalog.Detail detail = catalog.detail("notes", id).orElseThrow();
    int champion = database.versions.champion().orElseThrow().id();
    assertThat(detail.indexes())
        .extracting(
            h -> h.index().id(),
            CollectionCatalog.Holding::current,
            CollectionCatalog.Holding::serving)
        .containsExactly(tuple(champion, true, true), tuple(rebuilt.indexVersionId(), true, false));
    assertThat(detail.chunks()).containsExactly("Green tea is brewed at eighty degrees.");
    assertThat(detail.servingIndex()).map(IndexVersion::id).contains(champion);
    assertThat(catalog.detail("recipes", id)).isEmpty();

    CollectionCatalog.Removed removed = catalog.remove("notes", id).orElseThrow();

    assertThat(removed.previousStatus()).isEqualTo("active");
    assertThat(removed.document().status()).isEqualTo("tombstoned");
    assertThat(removed.chunks()).isEqualTo(2);
    assertThat(database.count("chunks")).isEqualTo(chunksBefore - 2);
    assertThat(database.count("chunks WHERE document_id = " + id)).isZero();
    assertThat(database.count("document_indexes WHERE document_id = " + id)).isZero();
    assertThat(registry.generation("notes")).isEqualTo(generation + 1);
    CollectionCatalog.Detail gone = catalog.detail("notes", id).orElseThrow();
    assertThat(gone.document().status()).isEqualTo("tombstoned");
    assertThat(gone.indexes()).isEmpty();
    assertThat(gone.chunks()).isEmpty();
    assertThat(gone.servingIndex()).map(IndexVersion::id).contains(champion);
    // Again: nothing more to remove, and nothing changed.
    CollectionCatalog.Removed again = catalog.remove("notes", id).orElseThrow();
    assertThat(again.previousStatus()).isEqualTo("tombstoned");
    assertThat(again.chunks()).isZero();
    assertThat(registry.generation("notes")).isEqualTo(generation + 1);
    // Another collection's document, or none, is not found.
    assertThat(catalog.remove("recipes", id)).isEmpty();
    assertThat(catalog.remove("notes", 999_999_999L)).isEmpty();

    IngestionService.Discovery next = ingest("notes", notes);
    assertThat(next.pending()).isEqualTo(2); // tea.txt again, and the empty file that failed
    assertThat(database.count("chunks WHERE document_id = " + id)).isEqualTo(1);
    assertThat(registry.generation("notes")).isEqualTo(generation + 2);

    // A run that stores nothing but tombstones what its source lost changes the collection too.
    Files.delete(notes.resolve("bees.txt"));
    IngestionService.Discovery shrunk = ingest("notes", notes);
    assertThat(shrunk.tombstoned()).isEqualTo(1);
    assertThat(registry.generation("notes")).isEqualTo(generation + 3);
    // A run that changes nothing leaves it, and other collections never moved.
    ingest("notes", notes);
    assertThat(registry.generation("notes")).isEqualTo(generation + 3);
    assertThat(registry.generation("recipes")).isEqualTo(recipes);
  }

  private static Path notes(Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(dir.resolve("tea.txt"), "Green tea is brewed at eighty degrees.");
    Files.writeString(dir.resolve("sloop.txt"), "A sloop carries one mast and two sails.");
    Files.writeString(dir.resolve("bees.txt"), "Bees dance to show where food is.");
    Files.writeString(dir.resolve("empty.txt"), "");
    return dir;
  }

  private IngestionService.Discovery ingest(String collection, Path path) throws Exception {
    IngestionService.Discovery discovery =
        service.discover(request(collection, path, IndexParams.BASE, false), n -> {});
    service.process("run-" + runs, 0, discovery.pending(), seq -> {});
    return discovery;
  }

  @Test
  void an_ingestion_into_a_collection_being_deleted_fails_for_good_and_recreates_nothing(
      @TempDir Path tmp) throws Exception {
    Path notes = notes(tmp);
    ingest("doomed", notes);
    database.jdbi.useTransaction(h -> CollectionRegistry.markDeleting(h, "doomed"));

    assertThatThrownBy(
            () ->
                service.discover(
                    request("doomed", notes, IndexParams.chunking(256, 32), false), n -> {}))
        .isInstanceOf(IngestionService.InvalidSourceException.class)
        .hasMessageContaining("is being deleted");
    assertThat(registry.state("doomed")).isEqualTo(CollectionRegistry.State.DELETING);
  }

  private IngestionService.Request request(
      String collection, Path path, IndexParams index, boolean rebuild) {
    String runId = "run-" + ++runs;
    String origin = rebuild ? IngestionService.REBUILD_ORIGIN : path.toString();
    return new IngestionService.Request(
        "wf-" + runId,
        runId,
        collection,
        origin,
        path == null ? null : path.toString(),
        null,
        index,
        rebuild);
  }

  private long id(String file) {
    return database.jdbi.withHandle(
        h ->
            h.createQuery("SELECT id FROM documents WHERE source_uri LIKE :suffix")
                .bind("suffix", "%/" + file)
                .mapTo(Long.class)
                .one());
  }
}
