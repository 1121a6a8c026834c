package io.engram.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.db.EngramJdbi;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Both search legs against a real PostgreSQL + pgvector with the project's schema. */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgVectorChunkStoreIT {
  private HikariDataSource db;
  private Jdbi jdbi;
  private IndexVersion version;
  private PgVectorChunkStore store;

  @BeforeAll
  void setUp() throws Exception {
    db = EngramServicesExtension.postgres().migratedDatabase("chunk_store_it", 2);
    jdbi = EngramJdbi.create(db);
    version = new IndexVersions(jdbi).ensureChampion("all-minilm-l6-v2-q", 1024, 200);
    store = new PgVectorChunkStore(jdbi);
    // Every chunk mentions "patients"; only one mentions "zebrafish" and one "insulin".
    String[] texts = {
      "Zebrafish patients regenerate heart tissue.",
      "Insulin resistance in patients with obesity.",
      "Patients with asthma use inhalers.",
      "Sleep quality of patients after surgery.",
      "Patients and physicians disagree on pain scores."
    };
    jdbi.useHandle(
        h -> {
          for (int i = 0; i < texts.length; i++) {
            long doc = insertDocument(h, "default", "d" + i, "Doc " + i);
            float[] vector = new float[384];
            vector[i] = 1;
            PgVectorChunkStore.replaceChunks(
                h, doc, version.id(), List.of(texts[i]), List.of(vector));
          }
        });
  }

  @AfterAll
  void tearDown() {
    db.close();
  }

  @Test
  void dense_search_ranks_by_cosine_similarity() throws Exception {
    float[] query = new float[384];
    query[2] = 1;
    query[3] = 0.5f;
    List<PgVectorChunkStore.ChunkHit> hits = store.nearest(version, "default", query, 3);
    assertThat(hits).extracting(PgVectorChunkStore.ChunkHit::source).startsWith("d2", "d3");
    assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
  }

  @Test
  void lexical_search_ors_the_query_lexemes() throws Exception {
    List<PgVectorChunkStore.ChunkHit> hits =
        store.lexical(version, "default", "zebrafish or insulin?", 10, 1.0);
    assertThat(hits)
        .extracting(PgVectorChunkStore.ChunkHit::source)
        .containsExactlyInAnyOrder("d0", "d1");
  }

  @Test
  void lexical_search_ignores_lexemes_common_to_most_chunks() throws Exception {
    // "patients" is in every chunk: with pruning only "insulin" is searched.
    assertThat(store.lexical(version, "default", "insulin in patients", 10, 0.5))
        .extracting(PgVectorChunkStore.ChunkHit::source)
        .containsExactly("d1");
    assertThat(store.lexical(version, "default", "insulin in patients", 10, 1.0)).hasSize(5);
    // A query of common words only still searches its rarest lexeme.
    assertThat(store.lexical(version, "default", "patients", 10, 0.5)).hasSize(5);
    assertThat(store.lexical(version, "default", "the and of", 10, 0.5)).isEmpty();
  }

  @Test
  void the_lexicon_counts_chunks_per_lexeme() throws Exception {
    Lexicon lexicon = new Lexicon(store::lexemeStatistics, Clock.systemUTC());
    assertThat(lexicon.selective(version.id(), "default", List.of("patient", "zebrafish"), 0.5))
        .containsExactly("zebrafish");
  }

  @Test
  void both_legs_search_only_the_asked_collection() throws Exception {
    List<Long> others = new ArrayList<>();
    try {
      // The same text and vector as d0, in another collection: only its own collection finds it.
      others.add(insertDocument("other", "o0", "Zebrafish patients regenerate heart tissue.", 0));
      float[] query = new float[384];
      query[0] = 1;
      assertThat(store.nearest(version, "default", query, 10))
          .extracting(PgVectorChunkStore.ChunkHit::source)
          .doesNotContain("o0")
          .startsWith("d0");
      assertThat(store.nearest(version, "other", query, 10))
          .extracting(PgVectorChunkStore.ChunkHit::source)
          .containsExactly("o0");
      assertThat(store.lexical(version, "default", "zebrafish", 10, 1.0))
          .extracting(PgVectorChunkStore.ChunkHit::source)
          .containsExactly("d0");
      assertThat(store.lexical(version, "other", "zebrafish", 10, 1.0))
          .extracting(PgVectorChunkStore.ChunkHit::source)
          .containsExactly("o0");
      // The chunk's collection is filled from its document by the database, whoever inserts it.
      List<String> collections =
          jdbi.withHandle(
              h ->
                  h.createQuery("SELECT DISTINCT collection FROM chunks WHERE document_id = :id")
                      .bind("id", others.get(0))
                      .mapTo(String.class)
                      .list());
      assertThat(collections).containsExactly("other");
    } finally {
      deleteDocuments(others);
    }
  }

  @Test
  void lexeme_statistics_are_each_collections_own() throws Exception {
    Lexicon lexicon = new Lexicon(store::lexemeStatistics, Clock.systemUTC());
    List<Long> added = new ArrayList<>();
    try {
      // "zebrafish" fills another collection (another tenant's, say): "default" must not notice.
      for (int i = 0; i < 8; i++) {
        added.add(insertDocument("fish", "f" + i, "Zebrafish fins, batch " + i + ".", 20 + i));
      }
      assertThat(lexicon.selective(version.id(), "default", List.of("patient", "zebrafish"), 0.5))
          .containsExactly("zebrafish");
      // In "fish" it is the other way round: "zebrafish" is in every chunk, "patient" in none.
      assertThat(lexicon.selective(version.id(), "fish", List.of("patient", "zebrafish"), 0.5))
          .containsExactly("patient");
      assertThat(lexicon.unknownShare(version.id(), "fish", List.of("patient", "zebrafish")))
          .isEqualTo(0.5);
      assertThat(lexicon.held()).isEqualTo(2);
    } finally {
      deleteDocuments(added);
    }
  }

  @Test
  void concurrent_first_uses_of_a_collection_wait_for_one_load() throws Exception {
    java.util.concurrent.atomic.AtomicInteger loads =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch loading = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Lexicon lexicon =
        new Lexicon(
            (v, c) -> {
              loads.incrementAndGet();
              loading.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return store.lexemeStatistics(v, c);
            },
            Clock.systemUTC());
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    List<Thread> askers = new java.util.concurrent.CopyOnWriteArrayList<>();
    try {
      List<java.util.concurrent.Future<List<String>>> asked = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        asked.add(
            pool.submit(
                () -> {
                  askers.add(Thread.currentThread());
                  return lexicon.selective(version.id(), "default", List.of("zebrafish"), 0.5);
                }));
      }
      loading.await();
      // Every asker is parked: one in the load, the others waiting for it (or, without the shared
      // load, each in a load of its own).
      org.awaitility.Awaitility.await()
          .until(
              () ->
                  askers.size() == 4
                      && askers.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
      release.countDown();
      for (var answer : asked) {
        assertThat(answer.get()).containsExactly("zebrafish");
      }
      assertThat(loads.get()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void stale_lexeme_statistics_are_served_while_one_reload_runs_in_the_background()
      throws Exception {
    MutableClock clock = new MutableClock();
    List<Runnable> reloads = new ArrayList<>();
    Lexicon lexicon = new Lexicon(store::lexemeStatistics, clock, reloads::add);
    List<Long> added = new ArrayList<>();
    try {
      assertThat(lexicon.selective(version.id(), "default", List.of("xenopus", "zebrafish"), 0.5))
          .containsExactly("xenopus", "zebrafish");
      // "xenopus" becomes the most common lexeme of the index version.
      for (int i = 0; i < 8; i++) {
        added.add(insertDocument("default", "x" + i, "Xenopus oocytes, batch " + i + ".", 10 + i));
      }
      clock.advance(Lexicon.MAX_AGE.plusSeconds(1));
      // Stale but served at once; exactly one reload is scheduled however many queries ask.
      assertThat(lexicon.selective(version.id(), "default", List.of("xenopus", "zebrafish"), 0.5))
          .containsExactly("xenopus", "zebrafish");
      assertThat(lexicon.selective(version.id(), "default", List.of("xenopus", "zebrafish"), 0.5))
          .containsExactly("xenopus", "zebrafish");
      assertThat(reloads).hasSize(1);
      reloads.get(0).run();
      assertThat(lexicon.selective(version.id(), "default", List.of("xenopus", "zebrafish"), 0.5))
          .containsExactly("zebrafish");
      assertThat(reloads).hasSize(1);
    } finally {
      deleteDocuments(added);
    }
  }

  private long insertDocument(String collection, String id, String text, int dimension) {
    return jdbi.withHandle(
        h -> {
          h.createUpdate("INSERT INTO collections (name) VALUES (:name) ON CONFLICT DO NOTHING")
              .bind("name", collection)
              .execute();
          long doc = insertDocument(h, collection, id, "Doc " + id);
          float[] vector = new float[384];
          vector[dimension] = 1;
          PgVectorChunkStore.replaceChunks(h, doc, version.id(), List.of(text), List.of(vector));
          return doc;
        });
  }

  private static long insertDocument(Handle h, String collection, String id, String title) {
    return h.createQuery(
            "INSERT INTO documents (collection, source_uri, origin, external_id, title)"
                + " VALUES (:collection, :uri, 'o', :id, :title) RETURNING id")
        .bind("collection", collection)
        .bind("uri", "o#" + id)
        .bind("id", id)
        .bind("title", title)
        .mapTo(Long.class)
        .one();
  }

  private void deleteDocuments(List<Long> ids) {
    jdbi.useHandle(
        h ->
            h.createUpdate("DELETE FROM documents WHERE id = ANY (:ids)")
                .bindArray("ids", Long.class, ids)
                .execute());
  }

  /** A clock the test moves by hand. */
  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-11-22T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
