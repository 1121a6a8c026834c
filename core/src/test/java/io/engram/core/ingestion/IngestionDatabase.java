package io.engram.core.ingestion;

import com.zaxxer.hikari.HikariDataSource;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.db.EngramJdbi;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersions;
import io.engram.testing.EngramServicesExtension;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Jdbi;

/**
 * A migrated database of one test's own on the extension's PostgreSQL (the ingestion ITs count the
 * rows of its tables), with the champion index version (all-MiniLM, 1024/200) and a real embedding
 * model behind the {@link IngestionService} it builds.
 */
final class IngestionDatabase implements AutoCloseable {
  private static final String MODEL = "all-minilm-l6-v2-q";
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final HikariDataSource db;
  final Jdbi jdbi;
  final IndexVersions versions;

  /** A new database named after {@code prefix}. */
  IngestionDatabase(String prefix) {
    db =
        EngramServicesExtension.postgres()
            .migratedDatabase(prefix + "_" + DATABASES.incrementAndGet(), 2);
    jdbi = EngramJdbi.create(db);
    versions = new IndexVersions(jdbi);
    versions.ensureChampion(MODEL, 1024, 200);
  }

  /** A service writing every collection to the champion index. */
  IngestionService service() {
    return service(ServedIndexes.NONE);
  }

  /** A service writing a collection to the index {@code served} names, when it names one. */
  IngestionService service(ServedIndexes served) {
    return service(served, UnaryOperator.identity());
  }

  /** A service whose embedding models are the shipped ones as {@code model} wraps them. */
  IngestionService service(ServedIndexes served, UnaryOperator<EmbeddingModel> model) {
    return new IngestionService(
        jdbi,
        versions,
        new BlobStore(jdbi),
        new DocumentReader(1 << 20),
        name -> new CachedEmbedder(jdbi, name, model.apply(EmbeddingModels.get(name))),
        (collection, index) -> {},
        served);
  }

  /** {@code SELECT count(*) FROM tableAndFilter}. */
  long count(String tableAndFilter) {
    return jdbi.withHandle(
        h -> h.createQuery("SELECT count(*) FROM " + tableAndFilter).mapTo(Long.class).one());
  }

  @Override
  public void close() {
    db.close();
  }
}
