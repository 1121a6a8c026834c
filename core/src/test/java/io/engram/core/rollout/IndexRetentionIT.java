package io.engram.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersion;
import io.engram.core.ingestion.DocumentIndexes;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.engram.testing.ZooCorpus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Index retention on real PostgreSQL: the index a rolled-back candidate searched is dropped once
 * the retention after its rollout has passed, not before; the champion's index and an index a
 * version with an alias still searches are never dropped; a second sweep drops nothing more; a
 * sweep that died after deleting an index's chunks is finished by the next one.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IndexRetentionIT {
  private CoreServices core;
  private Duration retention;

  @BeforeAll
  void setUp() {
    String db = EngramServicesExtension.postgres().createDatabase("index_retention_it");
    EngramSettings settings = EngramSettings.of(TestSettings.values(db, Map.of()));
    retention = settings.rollout().retention();
    core = CoreServices.open(settings, "it", 2);
  }

  @AfterAll
  void tearDown() {
    core.close();
  }

  /** Copies the collection's champion chunks into {@code index}, as a re-ingestion would. */
  private void copyInto(String collection, IndexVersion index) {
    int champion = core.champion().id();
    core.jdbi()
        .useTransaction(
            h -> {
              h.createUpdate(
                      "INSERT INTO chunks (document_id, index_version_id, ordinal, text, embedding,"
                          + " metadata, collection) SELECT document_id, :to, ordinal, text,"
                          + " embedding, metadata, collection FROM chunks"
                          + " WHERE collection = :c AND index_version_id = :from")
                  .bind("to", index.id())
                  .bind("from", champion)
                  .bind("c", collection)
                  .execute();
              h.createUpdate(
                      "INSERT INTO document_indexes (document_id, index_version_id, content_hash,"
                          + " chunk_count) SELECT di.document_id, :to, di.content_hash,"
                          + " di.chunk_count FROM document_indexes di JOIN documents d"
                          + " ON d.id = di.document_id WHERE d.collection = :c"
                          + " AND di.index_version_id = :from")
                  .bind("to", index.id())
                  .bind("from", champion)
                  .bind("c", collection)
                  .execute();
            });
  }

  /** Registers a version of {@code collection} on {@code index} with the champion's bundle. */
  private RegisteredVersion register(String collection, IndexVersion index, List<String> aliases) {
    return register(collection, index, aliases, "it-" + collection);
  }

  /** As above; a registration from an origin already registered returns that version. */
  private RegisteredVersion register(
      String collection, IndexVersion index, List<String> aliases, String origin) {
    ModelRegistry registry = core.registry();
    RegisteredVersion v1 = registry.alias(collection, ModelAliases.CHAMPION).orElseThrow();
    return registry.register(
        ModelVersions.NewVersion.builder(collection, index.id(), v1.bundle())
            .gates(List.of())
            .createdBy("it")
            .reason("on index " + index.name())
            .origin(origin)
            .build(),
        aliases,
        new ModelRegistry.Change("it", "registered for the test", null));
  }

  private Rollout rollOutAndRollBack(String collection, int candidate) {
    return core.rollouts()
        .rollBack(rollOut(collection, candidate).id(), "it", "the test rolls it back", null);
  }

  private Rollout rollOut(String collection, int candidate) {
    return core.rollouts()
        .begin(
            new RolloutService.Start(
                RolloutService.class.getSimpleName() + "-" + collection,
                "run-" + collection + "-" + candidate,
                collection,
                candidate,
                "manual",
                "it",
                "testing retention",
                RolloutPlan.Overrides.NONE));
  }

  @Test
  void drops_the_index_only_rejected_candidates_searched_once_the_retention_passed() {
    String collection = "zoo-rejected";
    ZooCorpus.index(core, collection);
    IndexVersion champion = core.champion();
    IndexVersion other = core.indexVersions().resolve(IndexParams.chunking(330, 30));
    copyInto(collection, other);
    ModelRegistry registry = core.registry();
    RegisteredVersion v1 = registry.alias(collection, ModelAliases.CHAMPION).orElseThrow();
    RegisteredVersion rejected =
        registry.register(
            ModelVersions.NewVersion.builder(collection, other.id(), v1.bundle())
                .gates(List.of(new RegisteredVersion.Gate("improves_on_champion", false, "no")))
                .status(RegisteredVersion.REJECTED)
                .createdBy("it")
                .reason("rejected by its gates")
                .origin("rejected")
                .build(),
            List.of(),
            new ModelRegistry.Change("it", "registered rejected", null));
    RegisteredVersion registered = register(collection, other, List.of(), "registered");
    long otherChunks = chunks(collection, other);
    assertThat(otherChunks).isPositive();
    IndexRetention sweep = core.indexRetention();
    Instant later = Instant.now().plus(retention());

    // Within the retention of the rejection, nothing goes.
    assertThat(sweep.dropExpired(rejected.createdAt().plus(retention).minusSeconds(60))).isEmpty();
    // Past it, a version on the index that is still registered (it may roll out) holds it.
    assertThat(sweep.dropExpired(later)).isEmpty();
    assertThat(chunks(collection, other)).isEqualTo(otherChunks);

    registry.archive(
        collection, registered.version(), new ModelRegistry.Change("it", "given up", null));
    assertThat(sweep.dropExpired(later))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.indexVersionId()).isEqualTo(other.id());
              assertThat(d.rollout()).isNull();
              assertThat(d.versions())
                  .containsExactlyInAnyOrder(rejected.version(), registered.version());
            });
    assertThat(chunks(collection, other)).isZero();
    assertThat(chunks(collection, champion)).isPositive();
    assertThat(registry.find(collection, rejected.version()).orElseThrow().tags())
        .containsEntry(
            "index",
            "index version "
                + other.id()
                + " dropped: retention after its"
                + " candidates were rejected");
    assertThat(sweep.dropExpired(later)).isEmpty();
  }

  @Test
  void a_collection_can_serve_from_its_aliased_versions_indexes_and_a_running_rollout_s() {
    String collection = "zoo-live";
    ZooCorpus.index(core, collection);
    IndexVersion champion = core.champion();
    IndexVersion other = core.indexVersions().resolve(IndexParams.chunking(320, 30));
    copyInto(collection, other);
    LiveIndexes live = core.liveIndexes();
    RegisteredVersion v2 = register(collection, other, List.of());

    assertThat(live.serving(collection)).hasValue(champion.id());
    assertThat(live.servable(collection)).containsExactly(champion.id());
    Rollout running = rollOut(collection, v2.version());
    assertThat(live.servable(collection)).containsExactlyInAnyOrder(champion.id(), other.id());
    core.rollouts().rollBack(running.id(), "it", "the test rolls it back", null);
    assertThat(live.servable(collection)).containsExactly(champion.id());
    register(collection, other, List.of(ModelAliases.STAGING), "staged");
    assertThat(live.servable(collection)).containsExactlyInAnyOrder(champion.id(), other.id());
    assertThat(live.serving(collection)).hasValue(champion.id());
  }

  private long chunks(String collection, IndexVersion index) {
    return core.chunks().count(collection, index.id());
  }

  @Test
  void drops_a_rolled_back_candidates_index_after_the_retention_and_only_then() {
    String collection = "zoo-retained";
    ZooCorpus.index(core, collection);
    IndexVersion champion = core.champion();
    IndexVersion other = core.indexVersions().resolve(IndexParams.chunking(300, 30));
    copyInto(collection, other);
    long championChunks = chunks(collection, champion);
    assertThat(chunks(collection, other)).isEqualTo(championChunks).isPositive();
    RegisteredVersion v2 = register(collection, other, List.of(ModelAliases.STAGING));
    Rollout ended = rollOutAndRollBack(collection, v2.version());
    Instant retainedUntil = ended.outcome().retainUntil();
    assertThat(retainedUntil).isNotNull();

    IndexRetention retention = core.indexRetention();
    // Within the retention: nothing goes.
    assertThat(retention.dropExpired(retainedUntil.minusSeconds(60))).isEmpty();
    assertThat(chunks(collection, other)).isEqualTo(championChunks);

    List<IndexRetention.Dropped> dropped = retention.dropExpired(retainedUntil.plusSeconds(60));

    assertThat(dropped)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.collection()).isEqualTo(collection);
              assertThat(d.indexVersionId()).isEqualTo(other.id());
              assertThat(d.chunks()).isEqualTo(championChunks);
              assertThat(d.versions()).containsExactly(v2.version());
            });
    assertThat(chunks(collection, other)).isZero();
    long indexedDocuments =
        core.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT count(*) FROM document_indexes WHERE index_version_id = :v")
                        .bind("v", other.id())
                        .mapTo(Long.class)
                        .one());
    assertThat(indexedDocuments).isZero();
    // The champion's index is untouched, and the loser is archived and says why.
    assertThat(chunks(collection, champion)).isEqualTo(championChunks);
    RegisteredVersion after = core.registry().find(collection, v2.version()).orElseThrow();
    assertThat(after.status()).isEqualTo(RegisteredVersion.ARCHIVED);
    assertThat(after.tags()).containsKey("index");
    // Idempotent: a second sweep finds nothing to drop.
    assertThat(retention.dropExpired(retainedUntil.plus(retention()))).isEmpty();
  }

  /**
   * The worker died between the sweep's two steps: the chunks and document index rows of the index
   * are gone, the versions that searched it not archived yet. The next sweep (or the activity's
   * retry) finds the index empty and must still archive them, or one could be staged and promoted
   * onto an empty index.
   */
  @Test
  void archives_the_versions_of_an_index_whose_chunks_a_died_sweep_deleted() {
    String collection = "zoo-interrupted";
    ZooCorpus.index(core, collection);
    IndexVersion other = core.indexVersions().resolve(IndexParams.chunking(500, 50));
    copyInto(collection, other);
    RegisteredVersion v2 = register(collection, other, List.of(ModelAliases.STAGING));
    // Registered on the same index and never staged: nothing but the sweep archives it.
    RegisteredVersion v3 = register(collection, other, List.of(), "it-" + collection + "-v3");
    Rollout ended = rollOutAndRollBack(collection, v2.version());
    core.jdbi()
        .useTransaction(
            h -> {
              PgVectorChunkStore.deleteOfIndex(h, collection, other.id());
              DocumentIndexes.deleteOfIndex(h, collection, other.id());
            });
    assertThat(v3.version()).isNotEqualTo(v2.version());
    assertThat(core.registry().find(collection, v3.version()).orElseThrow().status())
        .isNotEqualTo(RegisteredVersion.ARCHIVED);
    Instant after = ended.outcome().retainUntil().plusSeconds(60);

    List<IndexRetention.Dropped> dropped = core.indexRetention().dropExpired(after);

    assertThat(dropped)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.indexVersionId()).isEqualTo(other.id());
              assertThat(d.chunks()).isZero();
              assertThat(d.versions()).containsExactlyInAnyOrder(v2.version(), v3.version());
            });
    for (RegisteredVersion v : List.of(v2, v3)) {
      RegisteredVersion now = core.registry().find(collection, v.version()).orElseThrow();
      assertThat(now.status()).isEqualTo(RegisteredVersion.ARCHIVED);
      assertThat(now.tags()).containsKey("index");
    }
    // Finished now: the next sweep has nothing left to do there.
    assertThat(core.indexRetention().dropExpired(after))
        .noneMatch(d -> d.collection().equals(collection));
  }

  @Test
  void keeps_an_index_a_version_with_an_alias_still_searches() {
    String collection = "zoo-shared-index";
    ZooCorpus.index(core, collection);
    IndexVersion other = core.indexVersions().resolve(IndexParams.chunking(400, 40));
    copyInto(collection, other);
    RegisteredVersion v2 = register(collection, other, List.of());
    Rollout ended = rollOutAndRollBack(collection, v2.version());
    // v3 searches the same index and is staged: the index must stay.
    register(collection, other, List.of(ModelAliases.STAGING));

    List<IndexRetention.Dropped> dropped =
        core.indexRetention().dropExpired(ended.outcome().retainUntil().plusSeconds(60));

    assertThat(dropped).noneMatch(d -> d.collection().equals(collection));
    assertThat(chunks(collection, other)).isPositive();
  }

  @Test
  void never_drops_the_index_ingestion_writes_to() {
    String collection = "zoo-champion-index";
    ZooCorpus.index(core, collection);
    // A candidate on the champion's own index, rolled back: its index is the ingestion target.
    RegisteredVersion v2 = register(collection, core.champion(), List.of(ModelAliases.STAGING));
    Rollout ended = rollOutAndRollBack(collection, v2.version());

    List<IndexRetention.Dropped> dropped =
        core.indexRetention().dropExpired(ended.outcome().retainUntil().plusSeconds(60));

    assertThat(dropped).noneMatch(d -> d.collection().equals(collection));
    assertThat(chunks(collection, core.champion())).isPositive();
  }

  private Duration retention() {
    return retention.plusDays(1);
  }
}
