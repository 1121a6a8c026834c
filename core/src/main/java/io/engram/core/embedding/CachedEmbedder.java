package io.engram.core.embedding;

import com.pgvector.PGvector;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.Hashing;
import io.engram.core.db.BatchedChange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Embeds texts through {@code embedding_cache}, the table it owns: a text whose hash is cached for
 * the model is never embedded again. Thread-safe; the cache write is an idempotent upsert, so
 * concurrent or retried callers at worst embed the same text twice, never store it twice.
 */
public final class CachedEmbedder {
  /**
   * Texts per call into ONNX Runtime: large enough to amortize the call, small enough to heartbeat.
   */
  public static final int MODEL_BATCH = 32;

  private final Jdbi jdbi;
  private final String modelName;
  private final EmbeddingModel model;

  public CachedEmbedder(Jdbi jdbi, String modelName, EmbeddingModel model) {
    this.jdbi = jdbi;
    this.modelName = modelName;
    this.model = model;
  }

  public String modelName() {
    return modelName;
  }

  /**
   * One vector per text, in order, neither read from the cache nor written to it: for texts that
   * are someone's (a user's facts), which must not outlive their owner's rows in a table that names
   * no owner.
   */
  public List<float[]> embedUncached(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    List<Embedding> result;
    synchronized (model) {
      result = model.embedAll(texts.stream().map(TextSegment::from).toList()).content();
    }
    return result.stream().map(Embedding::vector).toList();
  }

  /**
   * Deletes the cached vectors of the texts of a tenant's user's facts, episodic and semantic
   * ({@link io.engram.core.memory.UserForgetting}): what distillation cached before it stopped
   * caching facts. A document's chunk of the same text loses its cached vector too, and is embedded
   * again when next needed. Found by joining the cache to the facts' texts on their hash.
   */
  public static final BatchedChange<BatchedChange.User> DELETE_OF_USER_FACTS =
      BatchedChange.deleteOfUser(
          "embedding_cache",
          "model, content_hash",
          "SELECT c.model, c.content_hash FROM embedding_cache c JOIN (SELECT"
              + " embedding_model AS model, text FROM episodic_facts WHERE tenant ="
              + " :tenant AND user_id = :userId UNION SELECT embedding_model, text"
              + " FROM semantic_facts WHERE tenant = :tenant AND user_id = :userId)"
              + " f ON c.model = f.model AND c.content_hash ="
              + " encode(sha256(convert_to(f.text, 'UTF8')), 'hex')");

  /** Returns one vector per text, in order. {@code progress} is called after each model batch. */
  public List<float[]> embed(List<String> texts, Runnable progress) {
    Map<String, String> textByHash = new LinkedHashMap<>();
    List<String> hashes = new ArrayList<>(texts.size());
    for (String text : texts) {
      String hash = Hashing.sha256(text);
      hashes.add(hash);
      textByHash.putIfAbsent(hash, text);
    }
    Map<String, float[]> vectors = lookup(textByHash.keySet());
    List<String> missing =
        textByHash.keySet().stream().filter(h -> !vectors.containsKey(h)).toList();
    for (int from = 0; from < missing.size(); from += MODEL_BATCH) {
      List<String> batch = missing.subList(from, Math.min(missing.size(), from + MODEL_BATCH));
      List<TextSegment> segments =
          batch.stream().map(h -> TextSegment.from(textByHash.get(h))).toList();
      List<Embedding> result;
      // One model call at a time per process: ONNX Runtime already spreads a call over every
      // core, so concurrent calls only oversubscribe them. Concurrent batches still overlap their
      // parsing and database writes with this call.
      synchronized (model) {
        result = model.embedAll(segments).content();
      }
      Map<String, float[]> fresh = new LinkedHashMap<>();
      for (int i = 0; i < batch.size(); i++) {
        fresh.put(batch.get(i), result.get(i).vector());
      }
      store(fresh);
      vectors.putAll(fresh);
      progress.run();
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (String hash : hashes) {
      out.add(vectors.get(hash));
    }
    return out;
  }

  private Map<String, float[]> lookup(Collection<String> hashes) {
    if (hashes.isEmpty()) {
      return new HashMap<>();
    }
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT content_hash, embedding::text FROM embedding_cache"
                        + " WHERE model = :model AND content_hash = ANY (:hashes)")
                .bind("model", modelName)
                .bindArray("hashes", String.class, hashes)
                .map(
                    (rs, ctx) ->
                        Map.entry(rs.getString(1), new PGvector(rs.getString(2)).toArray()))
                .collect(
                    Collectors.toMap(
                        Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, HashMap::new)));
  }

  private void store(Map<String, float[]> vectors) {
    jdbi.useHandle(
        h -> {
          PreparedBatch batch =
              h.prepareBatch(
                  "INSERT INTO embedding_cache (model, content_hash, embedding)"
                      + " VALUES (:model, :hash, :embedding) ON CONFLICT DO NOTHING");
          vectors.forEach(
              (hash, vector) ->
                  batch
                      .bind("model", modelName)
                      .bind("hash", hash)
                      .bind("embedding", new PGvector(vector))
                      .add());
          batch.execute();
        });
  }
}
