package io.engram.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.db.Database;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.migrations.Migrations;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Both search legs against a real PostgreSQL + pgvector with the project's schema. */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgVectorChunkStoreIT {
  private HikariDataSource db;
  private IndexVersion version;
  private PgVectorChunkStore store;

  @BeforeAll
  void setUp() throws Exception {
    var postgres = EngramServicesExtension.postgres();
    db =
        Database.connect(
            postgres.createDatabase("chunk_store_it"),
            postgres.user(),
            postgres.password(),
            "it",
            2);
    Migrations.migrate(db);
    version = new IndexVersions(db).ensureChampion("all-minilm-l6-v2-q", 1024, 200);
    store = new PgVectorChunkStore(db);
    // Every chunk mentions "patients"; only one mentions "zebrafish" and one "insulin".
    String[] texts = {
      "Zebrafish patients regenerate heart tissue.",
      "Insulin resistance in patients with obesity.",
      "Patients with asthma use inhalers.",
      "Sleep quality of patients after surgery.",
      "Patients and physicians disagree on pain scores."
    };
    try (Connection c = db.getConnection()) {
      for (int i = 0; i < texts.length; i++) {
        long doc;
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO documents (collection, source_uri, origin, external_id, title)"
                    + " VALUES ('default', ?, 'o', ?, ?) RETURNING id")) {
          ps.setString(1, "o#d" + i);
          ps.setString(2, "d" + i);
          ps.setString(3, "Doc " + i);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            doc = rs.getLong(1);
          }
        }
        float[] vector = new float[384];
        vector[i] = 1;
        PgVectorChunkStore.replaceChunks(c, doc, version.id(), List.of(texts[i]), List.of(vector));
      }
    }
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
    Lexicon lexicon = new Lexicon(db, Clock.systemUTC());
    assertThat(lexicon.selective(version.id(), List.of("patient", "zebrafish"), 0.5))
        .containsExactly("zebrafish");
  }
}
