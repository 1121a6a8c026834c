package io.engram.core.memory;

import com.pgvector.PGvector;
import io.engram.core.db.BatchedChange;
import io.engram.core.db.Columns;
import io.engram.core.embedding.EmbeddingModels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * Semantic memory ({@code semantic_facts}): facts promoted from episodic memory, without session
 * details but with their lineage (the episodic fact and the turns it came from). A user's: recalled
 * in the user's sessions of every collection of the tenant; an anonymous session's facts are never
 * promoted.
 */
public final class SemanticMemory {

  /** A promoted fact, as read back for inspection and tests. */
  public record Fact(
      long id,
      long episodicFactId,
      String collection,
      String userId,
      String subject,
      FactKind kind,
      String text,
      double salience,
      int citations,
      List<Long> sourceTurnIds,
      Instant firstSeenAt,
      Instant promotedAt,
      String promotionRun,
      Instant validTo) {}

  static final String HIT_COLUMNS =
      "id, subject, kind, text, salience, citations, source_turn_ids, first_seen_at,"
          + " episodic_fact_id";

  private final Jdbi jdbi;

  public SemanticMemory(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Every promoted fact of a collection, oldest first. */
  public List<Fact> facts(String collection) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT id, episodic_fact_id, collection, user_id, subject, kind, text,"
                        + " salience, citations, source_turn_ids, first_seen_at, promoted_at,"
                        + " promotion_run, valid_to FROM semantic_facts"
                        + " WHERE collection = :collection ORDER BY id")
                .bind("collection", collection)
                .map(
                    (rs, ctx) ->
                        new Fact(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            FactKind.fromWire(rs.getString(6)),
                            rs.getString(7),
                            rs.getDouble(8),
                            rs.getInt(9),
                            MemorySql.longs(rs.getArray(10)),
                            Columns.instant(rs, 11),
                            Columns.instant(rs, 12),
                            rs.getString(13),
                            Columns.instant(rs, 14)))
                .list());
  }

  /** The fact promoted from an episodic fact, if it was promoted. */
  public Optional<Fact> promotedFrom(String collection, long episodicFactId) {
    return facts(collection).stream().filter(f -> f.episodicFactId() == episodicFactId).findFirst();
  }

  /**
   * Candidates for a query: the user's nearest facts by the HNSW index and best full-text matches,
   * each with both scores, from every collection of the user's tenant, as the user's episodic facts
   * are recalled (a fact about the user is not about one collection, and stays recalled where it
   * was once promoted). Superseded facts are excluded. An anonymous session has none: semantic
   * facts are a user's, and its own facts stay in episodic memory.
   */
  List<MemoryHit> candidates(
      MemoryScope scope, String model, float[] query, String tsquery, int limit) {
    if (scope.userId() == null) {
      return List.of();
    }
    int dimension = EmbeddingModels.spec(model).dimension();
    // The cast and the repeated predicate let the planner use the partial HNSW index of V6.
    String vectorType = "vector(" + dimension + ")";
    String lexical = tsquery.isEmpty() ? "0" : "ts_rank(tsv, to_tsquery('simple', :tsquery), 1)";
    String scopeSql = "tenant = :tenant AND user_id = :userId AND valid_to IS NULL";
    PGvector vector = new PGvector(query);
    Map<Long, MemoryHit> hits = new LinkedHashMap<>();
    jdbi.useTransaction(
        h -> {
          h.execute("SET LOCAL hnsw.ef_search = " + Math.max(40, limit));
          h.execute("SET LOCAL hnsw.iterative_scan = relaxed_order");
          Query dense =
              h.createQuery(
                      ("SELECT %1$s, 1 - (embedding::%2$s <=> :query::%2$s), %3$s FROM semantic_facts"
                              + " WHERE vector_dims(embedding) = %4$d AND embedding_model = :model"
                              + " AND %5$s ORDER BY embedding::%2$s <=> :query::%2$s LIMIT :limit")
                          .formatted(HIT_COLUMNS, vectorType, lexical, dimension, scopeSql))
                  .bind("query", vector)
                  .bind("model", model)
                  .bind("tenant", scope.tenant().id())
                  .bind("userId", scope.userId())
                  .bind("limit", limit);
          if (!tsquery.isEmpty()) {
            dense.bind("tsquery", tsquery);
          }
          read(dense, hits);
          if (!tsquery.isEmpty()) {
            read(
                h.createQuery(
                        ("SELECT %1$s, CASE WHEN embedding_model = :model"
                                + " THEN 1 - (embedding <=> :query) ELSE 0 END,"
                                + " ts_rank(tsv, q, 1) AS lexical FROM semantic_facts,"
                                + " to_tsquery('simple', :tsquery) q WHERE tsv @@ q AND %2$s"
                                + " ORDER BY lexical DESC LIMIT :limit")
                            .formatted(HIT_COLUMNS, scopeSql))
                    .bind("model", model)
                    .bind("query", vector)
                    .bind("tsquery", tsquery)
                    .bind("tenant", scope.tenant().id())
                    .bind("userId", scope.userId())
                    .bind("limit", limit),
                hits);
          }
        });
    return new ArrayList<>(hits.values());
  }

  private static void read(Query query, Map<Long, MemoryHit> hits) {
    query
        .map((rs, ctx) -> MemoryHit.read(MemoryTier.SEMANTIC, rs))
        .forEach(hit -> hits.putIfAbsent(hit.factId(), hit));
  }

  /**
   * Reinforces the owner's semantic fact that {@code fact} restates (same normalized text, or the
   * same subject at {@code similarity} or more), as a citation would, and adds the turns to its
   * lineage; inside the caller's transaction.
   *
   * @return whether such a fact existed
   */
  static boolean reinforceRestatement(
      Handle h,
      MemoryScope scope,
      ExtractedFact fact,
      PGvector vector,
      String model,
      double boost,
      double similarity) {
    return h.createUpdate(
                "UPDATE semantic_facts SET salience = least(1, salience + :boost * (1 - salience)),"
                    + " source_turn_ids = ARRAY(SELECT DISTINCT unnest(source_turn_ids"
                    + " || :fact.sourceTurnIds) ORDER BY 1)"
                    + " WHERE id = (SELECT id FROM semantic_facts WHERE tenant = :tenant"
                    + "   AND user_id = :scope.userId AND valid_to IS NULL"
                    + "   AND (normalized_text = :fact.normalizedText OR (subject = :fact.subject"
                    + "        AND embedding_model = :model AND 1 - (embedding <=> :vector) >= :similarity))"
                    + "   ORDER BY (normalized_text = :fact.normalizedText) DESC, id LIMIT 1)")
            .bindMethods("scope", scope)
            .bind("tenant", scope.tenant().id())
            .bindMethods("fact", fact)
            .bind("boost", boost)
            .bind("model", model)
            .bind("vector", vector)
            .bind("similarity", similarity)
            .execute()
        > 0;
  }

  /**
   * Marks the user's active facts of the fact's subject and kind with another text as superseded by
   * the episodic fact {@code newId}, inside the caller's transaction.
   *
   * @return the episodic ids the superseded facts were promoted from
   */
  static List<Long> supersede(
      Handle h, MemoryScope scope, ExtractedFact fact, long newId, Instant now) {
    return h.createQuery(
            "UPDATE semantic_facts SET valid_to = :now, superseded_by = :newId"
                + " WHERE tenant = :tenant AND user_id = :scope.userId"
                + " AND valid_to IS NULL AND subject = :fact.subject AND kind = :kind"
                + " AND normalized_text <> :fact.normalizedText RETURNING episodic_fact_id")
        .bindMethods("scope", scope)
        .bind("tenant", scope.tenant().id())
        .bindMethods("fact", fact)
        .bind("kind", fact.kind().wireName())
        .bind("now", MemorySql.ts(now))
        .bind("newId", newId)
        .mapTo(Long.class)
        .list();
  }

  /**
   * Folds taken citations into semantic facts, inside the caller's transaction: a semantic fact's
   * own citations and those of the episodic fact it was promoted from (cited before the promotion
   * and flushed after it). Each citation closes {@code boost} of the gap to 1.
   *
   * @return how many semantic facts changed
   */
  static long cite(Handle h, List<FactCitations.Counted> counted, double boost) {
    return FactCitations.fold(
        h,
        counted,
        "WITH c AS (SELECT * FROM "
            + FactCitations.COUNTED_ROWS
            + "),"
            + " semantic_counts AS (SELECT s.id, sum(c.n)::int AS n, max(c.last) AS last"
            + "  FROM c JOIN semantic_facts s ON (c.tier = 'semantic' AND s.id = c.fact_id)"
            + "    OR (c.tier = 'episodic' AND s.episodic_fact_id = c.fact_id) GROUP BY s.id)"
            + " UPDATE semantic_facts s SET"
            + "  salience = least(1, 1 - (1 - s.salience) * power(1 - :boost, sc.n)),"
            + "  citations = s.citations + sc.n,"
            + "  last_cited_at = greatest(s.last_cited_at, sc.last)"
            + " FROM semantic_counts sc WHERE s.id = sc.id",
        update -> update.bind("boost", boost));
  }

  /**
   * Copies the episodic facts {@code episodicIds} into semantic memory with their salience decayed
   * to {@code now}, inside the transaction that deletes them from episodic memory. A fact promoted
   * before is skipped.
   *
   * @return the new semantic ids
   */
  static List<Long> promote(
      Handle h, List<Long> episodicIds, String promotionRun, Instant now, double halfLifeSeconds) {
    return h.createQuery(
            "INSERT INTO semantic_facts (episodic_fact_id, collection, user_id, subject, kind,"
                + " text, normalized_text, embedding, embedding_model, confidence, salience,"
                + " citations, source_turn_ids, first_seen_at, last_cited_at, promoted_at,"
                + " promotion_run)"
                + " SELECT id, collection, user_id, subject, kind, text, normalized_text,"
                + " embedding, embedding_model, confidence, least(1, "
                + MemorySql.DECAYED
                + "), citations, source_turn_ids, created_at, last_cited_at, :now, :run"
                + " FROM episodic_facts WHERE id = ANY (:ids) ORDER BY id"
                + " ON CONFLICT (episodic_fact_id) DO NOTHING RETURNING id")
        .bind("now", MemorySql.ts(now))
        .bind("halfLife", halfLifeSeconds)
        .bind("run", promotionRun)
        .bindArray("ids", Long.class, episodicIds)
        .mapTo(Long.class)
        .list();
  }

  /** Semantic facts still valid. */
  static long validCount(Handle h) {
    return h.createQuery("SELECT count(*) FROM semantic_facts WHERE valid_to IS NULL")
        .mapTo(Long.class)
        .one();
  }

  /**
   * Deletes a collection's rows of {@code semantic_facts} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "semantic_facts", "id", "SELECT id FROM semantic_facts WHERE collection = :key");

  /**
   * Deletes a tenant's user's rows of {@code semantic_facts} ({@link UserForgetting}). Promoted
   * facts keep their owner, in whichever of the tenant's collections they were promoted.
   */
  public static final BatchedChange<BatchedChange.User> DELETE_OF_USER =
      BatchedChange.deleteOfUser(
          "semantic_facts",
          "id",
          "SELECT id FROM semantic_facts WHERE tenant = :tenant AND user_id = :userId");
}
