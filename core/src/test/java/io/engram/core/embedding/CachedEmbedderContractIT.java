package io.engram.core.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.engram.core.Hashing;
import io.engram.core.db.EngramJdbi;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CachedEmbedder} in front of the default model, on a real PostgreSQL: the embedder contract
 * holds through the cache, and what the cache itself promises (a text is embedded once, progress
 * per model batch, nothing stored from a refused batch).
 */
@EngramServices
class CachedEmbedderContractIT extends EmbedderContract {
  private static final String MODEL = "bge-small-en-v1.5-q";

  private static HikariDataSource db;
  private static CountingModel model;
  private static CachedEmbedder embedder;

  /** Counts the texts that reach the model, so a cache hit is visible. */
  private static final class CountingModel implements EmbeddingModel {
    final EmbeddingModel delegate;
    final AtomicInteger texts = new AtomicInteger();

    CountingModel(EmbeddingModel delegate) {
      this.delegate = delegate;
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
      texts.addAndGet(segments.size());
      return delegate.embedAll(segments);
    }

    @Override
    public int dimension() {
      return delegate.dimension();
    }
  }

  @BeforeAll
  static void connect() {
    db = EngramServicesExtension.postgres().migratedDatabase("cached_embedder_it", 4);
    model = new CountingModel(EmbeddingModels.get(MODEL));
    embedder = new CachedEmbedder(EngramJdbi.create(db), MODEL, model);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Override
  protected String modelName() {
    return MODEL;
  }

  @Override
  protected List<float[]> embed(List<String> texts) throws SQLException {
    return embedder.embed(texts, () -> {});
  }

  private static boolean cached(String text) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT 1 FROM embedding_cache WHERE model = ? AND content_hash = ?")) {
      ps.setString(1, MODEL);
      ps.setString(2, Hashing.sha256(text));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Test
  void no_texts_give_no_vectors_without_asking_the_model() throws Exception {
    // The in-process models refuse an empty batch; the cache answers it itself.
    int before = model.texts.get();

    assertThat(embed(List.of())).isEmpty();

    assertThat(model.texts.get()).isEqualTo(before);
  }

  @Test
  void a_cached_text_is_not_embedded_again() throws Exception {
    String known = "The cache keeps this sentence.";
    String fresh = "This one arrives later.";
    embed(List.of(known, known));
    assertThat(cached(known)).isTrue();
    int before = model.texts.get();

    List<float[]> vectors = embed(List.of(known, fresh));

    assertThat(model.texts.get() - before).as("only the new text reaches the model").isEqualTo(1);
    assertThat(vectors).hasSize(2);
    assertThat(cached(fresh)).isTrue();
  }

  @Test
  void progress_is_reported_after_each_model_batch() throws Exception {
    List<String> texts =
        IntStream.rangeClosed(0, CachedEmbedder.MODEL_BATCH)
            .mapToObj(i -> "Progress sentence number " + i + ".")
            .toList();
    AtomicInteger batches = new AtomicInteger();

    embedder.embed(texts, batches::incrementAndGet);

    assertThat(batches.get()).as("%d texts in batches of %d", texts.size(), 32).isEqualTo(2);
  }

  @Test
  void nothing_of_a_refused_batch_is_stored() throws Exception {
    String good = "A good sentence beside a blank one.";

    assertThatThrownBy(() -> embed(List.of(good, " ")))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(cached(good)).isFalse();
  }
}
