package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.zaxxer.hikari.HikariDataSource;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.db.Database;
import io.engram.core.db.EngramJdbi;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.retrieval.Candidate;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.retrieval.RetrievalOptions;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.migrations.Migrations;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestCrossEncoders;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query path with the cross-encoder: real PostgreSQL + pgvector, real embeddings, both legs,
 * fusion, then {@link CrossEncoderReranker} over the test model (whose logit is the share of the
 * passage's wordpieces found in the query), as the API and the evaluation worker run it.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossEncoderRetrievalIT {
  private static final String MODEL = "all-minilm-l6-v2-q";

  private HikariDataSource db;
  private IndexVersion version;
  private CrossEncoderReranker crossEncoder;
  private ExecutorService executor;
  private HybridRetriever retriever;

  @BeforeAll
  void setUp(@TempDir Path models) throws Exception {
    var postgres = EngramServicesExtension.postgres();
    db =
        Database.connect(
            postgres.createDatabase("cross_encoder_it"),
            postgres.user(),
            postgres.password(),
            "it",
            2);
    Migrations.migrate(db);
    Jdbi jdbi = EngramJdbi.create(db);
    IndexVersions indexVersions = new IndexVersions(jdbi);
    version = indexVersions.ensureChampion(MODEL, 1024, 200);
    String[] texts = {
      "birds sing songs",
      "fish swim in rivers",
      "cats and dogs eat meat",
      "cats eat fish",
      "dogs chase cars"
    };
    EmbeddingModel embeddings = EmbeddingModels.get(MODEL);
    jdbi.useHandle(
        h -> {
          for (int i = 0; i < texts.length; i++) {
            long doc =
                h.createQuery(
                        "INSERT INTO documents (collection, source_uri, origin, external_id, title)"
                            + " VALUES ('default', :uri, 'o', :id, NULL) RETURNING id")
                    .bind("uri", "o#d" + i)
                    .bind("id", "d" + i)
                    .mapTo(Long.class)
                    .one();
            PgVectorChunkStore.replaceChunks(
                h,
                doc,
                version.id(),
                List.of(texts[i]),
                List.of(embeddings.embed(texts[i]).content().vector()));
          }
        });
    crossEncoder =
        CrossEncoderReranker.load(
            CrossEncoderReranker.Settings.of(
                TestCrossEncoders.install(TestCrossEncoders.OVERLAP, models.resolve("overlap"))));
    executor = Executors.newFixedThreadPool(2);
    retriever =
        new HybridRetriever(
            indexVersions,
            new PgVectorChunkStore(jdbi),
            executor,
            new QueryEmbeddings(0),
            crossEncoder);
  }

  @AfterAll
  void tearDown() {
    crossEncoder.close();
    executor.shutdownNow();
    db.close();
  }

  private static double logistic(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private RetrievalOptions options(int topK, boolean rerank) {
    return new RetrievalOptions(topK, 100, HybridRetriever.Mode.HYBRID, 0.8, 1.0, rerank, null);
  }

  @Test
  void the_cross_encoder_orders_the_fused_candidates_and_names_itself_in_the_model_version()
      throws Exception {
    HybridRetriever.Result result =
        retriever.retrieve("default", "cats eat fish", options(3, true));

    assertThat(result.hits())
        .extracting(h -> h.chunk().text())
        .containsExactly("cats eat fish", "cats and dogs eat meat", "fish swim in rivers");
    // 3 of 3, 2 of 5 and 1 of 4 passage wordpieces occur in the query.
    double[] scores = result.hits().stream().mapToDouble(Candidate::score).toArray();
    assertThat(scores)
        .containsExactly(new double[] {logistic(1.0), logistic(0.4), logistic(0.25)}, within(1e-6));
    assertThat(result.modelVersion()).isEqualTo(version.name() + "+cross-encoder:overlap");
    assertThat(result.timings()).containsKey("rerankMs");
  }

  @Test
  void without_rerank_the_fusion_order_and_the_index_version_alone() throws Exception {
    HybridRetriever.Result result =
        retriever.retrieve("default", "cats eat fish", options(3, false));
    assertThat(result.modelVersion()).isEqualTo(version.name());
    assertThat(result.timings()).doesNotContainKey("rerankMs");
  }
}
