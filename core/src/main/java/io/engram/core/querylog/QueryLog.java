package io.engram.core.querylog;

import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** The query log ({@code query_log}): one row per answered query. */
public final class QueryLog {

  /** One answered query. */
  public record Entry(
      UUID id,
      String collection,
      String sessionId,
      String query,
      String modelVersion,
      String answerMode,
      double latencyMs,
      List<Long> chunkIds,
      List<String> sources) {}

  private final Jdbi jdbi;

  public QueryLog(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public void record(Entry entry) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO query_log (id, collection, session_id, query, model_version,"
                        + " answer_mode, latency_ms, top_chunk_ids, top_sources) VALUES (:id,"
                        + " :collection, :sessionId, :query, :modelVersion, :answerMode, :latencyMs,"
                        + " :chunkIds, :sources) ON CONFLICT DO NOTHING")
                .bindMethods(entry)
                .execute());
  }
}
