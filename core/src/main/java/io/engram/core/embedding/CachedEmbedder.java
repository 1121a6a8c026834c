package io.engram.core.embedding;

import com.pgvector.PGvector;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.Hashing;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Embeds texts through {@code embedding_cache}: a text whose hash is cached for the model is never
 * embedded again. Thread-safe; the cache write is an idempotent upsert, so concurrent or retried
 * callers at worst embed the same text twice, never store it twice.
 */
public final class CachedEmbedder {
  /**
   * Texts per call into ONNX Runtime: large enough to amortize the call, small enough to heartbeat.
   */
  public static final int MODEL_BATCH = 32;

  private final DataSource dataSource;
  private final String modelName;
  private final EmbeddingModel model;

  public CachedEmbedder(DataSource dataSource, String modelName, EmbeddingModel model) {
    this.dataSource = dataSource;
    this.modelName = modelName;
    this.model = model;
  }

  public String modelName() {
    return modelName;
  }

  /** Returns one vector per text, in order. {@code progress} is called after each model batch. */
  public List<float[]> embed(List<String> texts, Runnable progress) throws SQLException {
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

  private Map<String, float[]> lookup(java.util.Collection<String> hashes) throws SQLException {
    Map<String, float[]> found = new HashMap<>();
    if (hashes.isEmpty()) {
      return found;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT content_hash, embedding::text FROM embedding_cache"
                    + " WHERE model = ? AND content_hash = ANY (?)")) {
      Array array = c.createArrayOf("text", hashes.toArray());
      ps.setString(1, modelName);
      ps.setArray(2, array);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.put(rs.getString(1), new PGvector(rs.getString(2)).toArray());
        }
      }
    }
    return found;
  }

  private void store(Map<String, float[]> vectors) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO embedding_cache (model, content_hash, embedding) VALUES (?, ?, ?)"
                    + " ON CONFLICT DO NOTHING")) {
      for (Map.Entry<String, float[]> e : vectors.entrySet()) {
        ps.setString(1, modelName);
        ps.setString(2, e.getKey());
        ps.setObject(3, new PGvector(e.getValue()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}
