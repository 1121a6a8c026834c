package io.engram.core.memory;

import com.pgvector.PGvector;
import io.engram.core.db.BatchedChange;
import io.engram.core.db.Columns;
import io.engram.core.db.Rows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Episodic memory ({@code episodic_facts}): facts distilled from conversations, each with a vector,
 * a salience, a citation count, a lifetime and a validity window.
 *
 * <p>Storing is where memory stays clean. A fact that restates one the owner already has (same
 * normalized text, or the same subject with cosine similarity at or above {@link
 * MemorySettings#dedupSimilarity()}) raises the existing fact's salience and joins its lineage
 * instead of being stored again. A fact that contradicts one about the same subject (an exclusive
 * kind, different text) is stored and the old one superseded: it gets a {@code valid_to} and a link
 * to its replacement, and stays for audit. Facts about other subjects are never touched.
 */
public final class EpisodicMemory {

  /** A stored fact, as read back for inspection and tests. */
  public record Fact(
      long id,
      UUID sessionId,
      String userId,
      String subject,
      FactKind kind,
      String text,
      double confidence,
      double salience,
      int citations,
      Instant createdAt,
      Instant lastCitedAt,
      Instant expiresAt,
      Instant validTo,
      Long supersededBy,
      List<Long> sourceTurnIds,
      String extractor) {

    public boolean active() {
      return validTo == null;
    }
  }

  /** Episodic facts in their validity window and lifetime, and those superseded. */
  record Counts(long active, long superseded) {}

  /**
   * What storing a batch did.
   *
   * @param storedIds new facts
   * @param mergedIds existing episodic facts that absorbed a restatement
   * @param supersededIds facts a new fact replaced (episodic ids; for semantic facts, the id of the
   *     episodic fact they were promoted from)
   * @param reinforcedSemantic restatements absorbed by semantic facts
   */
  public record StoreResult(
      List<Long> storedIds,
      List<Long> mergedIds,
      List<Long> supersededIds,
      int reinforcedSemantic) {
    public StoreResult {
      storedIds = List.copyOf(storedIds);
      mergedIds = List.copyOf(mergedIds);
      supersededIds = List.copyOf(supersededIds);
    }
  }

  private static final String COLUMNS =
      "id, session_id, user_id, subject, kind, text, confidence, salience, citations, created_at,"
          + " last_cited_at, expires_at, valid_to, superseded_by, source_turn_ids, extractor";

  /** The columns {@link MemoryHit#read} expects of an episodic fact, up to the two scores. */
  private static final String HIT_COLUMNS =
      "id, subject, kind, text, salience, citations, source_turn_ids, created_at, id AS origin";

  private static final RowMapper<Fact> FACT =
      (rs, ctx) -> {
        long link = rs.getLong(14);
        Long supersededBy = rs.wasNull() ? null : link;
        return new Fact(
            rs.getLong(1),
            rs.getObject(2, UUID.class),
            rs.getString(3),
            rs.getString(4),
            FactKind.fromWire(rs.getString(5)),
            rs.getString(6),
            rs.getDouble(7),
            rs.getDouble(8),
            rs.getInt(9),
            Columns.instant(rs, 10),
            Columns.instant(rs, 11),
            Columns.instant(rs, 12),
            Columns.instant(rs, 13),
            supersededBy,
            MemorySql.longs(rs.getArray(15)),
            rs.getString(16));
      };

  private static final Rows<Fact> FACTS = new Rows<>(COLUMNS, "episodic_facts", FACT);

  private final Jdbi jdbi;
  private final MemorySettings settings;

  public EpisodicMemory(Jdbi jdbi, MemorySettings settings) {
    this.jdbi = jdbi;
    this.settings = settings;
  }

  /**
   * Stores {@code facts} with their vectors inside the caller's transaction, deduplicating and
   * superseding as described above. Facts are handled in order, so a later fact of the batch may
   * restate or contradict an earlier one.
   */
  public StoreResult store(
      Handle h,
      MemoryScope scope,
      List<ExtractedFact> facts,
      List<float[]> vectors,
      String model,
      String extractor,
      Instant now) {
    if (facts.size() != vectors.size()) {
      throw new IllegalArgumentException("one vector per fact expected");
    }
    // Two sessions of one user distilled at once must not both store the same new fact.
    h.createUpdate("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
        .bind("key", scope.lockKey())
        .execute();
    List<Long> stored = new ArrayList<>();
    int reinforcedSemantic = 0;
    Set<Long> merged = new LinkedHashSet<>();
    Set<Long> superseded = new LinkedHashSet<>();
    for (int i = 0; i < facts.size(); i++) {
      ExtractedFact fact = facts.get(i);
      PGvector vector = new PGvector(vectors.get(i));
      Optional<Long> same = findRestatement(h, scope, fact, vector, model, now);
      if (same.isPresent()) {
        reinforce(h, same.get(), fact, now);
        merged.add(same.get());
        continue;
      }
      if (SemanticMemory.reinforceRestatement(
          h, scope, fact, vector, model, settings.citationBoost(), settings.dedupSimilarity())) {
        // Already general knowledge of this owner: reinforced there, not copied back.
        reinforcedSemantic++;
        continue;
      }
      long id = insert(h, scope, fact, vector, model, extractor, now);
      stored.add(id);
      if (fact.kind().exclusive()) {
        superseded.addAll(supersede(h, scope, fact, id, now));
        if (scope.userId() != null) {
          superseded.addAll(SemanticMemory.supersede(h, scope, fact, id, now));
        }
      }
    }
    MemoryEvents.add(h, "distilled", stored.size(), now);
    MemoryEvents.add(h, "merged", merged.size(), now);
    MemoryEvents.add(h, "superseded", superseded.size(), now);
    return new StoreResult(
        stored, List.copyOf(merged), List.copyOf(superseded), reinforcedSemantic);
  }

  private Optional<Long> findRestatement(
      Handle h, MemoryScope scope, ExtractedFact fact, PGvector vector, String model, Instant now) {
    return h.createQuery(
            "SELECT id FROM episodic_facts WHERE "
                + scope.ownerSql()
                + " AND valid_to IS NULL AND expires_at > :now"
                + " AND (normalized_text = :fact.normalizedText OR (subject = :fact.subject"
                + "      AND embedding_model = :model AND 1 - (embedding <=> :vector) >= :similarity))"
                + " ORDER BY (normalized_text = :fact.normalizedText) DESC, id LIMIT 1 FOR UPDATE")
        .bindMethods("fact", fact)
        .bindMap(scope.ownerParams())
        .bind("now", MemorySql.ts(now))
        .bind("model", model)
        .bind("vector", vector)
        .bind("similarity", settings.dedupSimilarity())
        .mapTo(Long.class)
        .findOne();
  }

  /**
   * A restatement raises salience as a citation does, extends the fact's life and adds the turns to
   * its lineage; the citation count stays, since nothing cited it.
   */
  private void reinforce(Handle h, long id, ExtractedFact fact, Instant now) {
    h.createUpdate(
            "UPDATE episodic_facts SET salience = least(1, "
                + MemorySql.DECAYED
                + " + :boost * (1 - "
                + MemorySql.DECAYED
                + ")), salience_at = greatest(salience_at, :now),"
                + " confidence = greatest(confidence, :fact.confidence),"
                + " expires_at = greatest(expires_at, :expires),"
                + " source_turn_ids = ARRAY(SELECT DISTINCT unnest(source_turn_ids"
                + " || :fact.sourceTurnIds) ORDER BY 1) WHERE id = :id")
        .bindMethods("fact", fact)
        .bind("now", MemorySql.ts(now))
        .bind("halfLife", (double) settings.salienceHalfLife().toSeconds())
        .bind("boost", settings.citationBoost())
        .bind("expires", MemorySql.ts(now.plus(settings.episodicTtl())))
        .bind("id", id)
        .execute();
  }

  private long insert(
      Handle h,
      MemoryScope scope,
      ExtractedFact fact,
      PGvector vector,
      String model,
      String extractor,
      Instant now) {
    return h.createQuery(
            "INSERT INTO episodic_facts (session_id, user_id, collection, subject, kind, text,"
                + " normalized_text, embedding, embedding_model, confidence, salience, salience_at,"
                + " created_at, expires_at, valid_from, source_turn_ids, extractor)"
                + " VALUES (:scope.sessionId, :scope.userId, :scope.collection, :fact.subject,"
                + " :kind, :fact.text, :fact.normalizedText, :vector, :model, :fact.confidence,"
                + " :salience, :now, :now, :expires, :now, :fact.sourceTurnIds, :extractor)"
                + " RETURNING id")
        .bindMethods("scope", scope)
        .bindMethods("fact", fact)
        .bind("kind", fact.kind().wireName())
        .bind("vector", vector)
        .bind("model", model)
        .bind("salience", settings.initialSalience(fact.confidence()))
        .bind("now", MemorySql.ts(now))
        .bind("expires", MemorySql.ts(now.plus(settings.episodicTtl())))
        .bind("extractor", extractor)
        .mapTo(Long.class)
        .one();
  }

  /**
   * Marks the owner's active facts of the same subject and kind with a different text as superseded
   * by {@code newId}.
   */
  private static List<Long> supersede(
      Handle h, MemoryScope scope, ExtractedFact fact, long newId, Instant now) {
    return h.createQuery(
            "UPDATE episodic_facts SET valid_to = :now, superseded_by = :newId WHERE "
                + scope.ownerSql()
                + " AND valid_to IS NULL AND id <> :newId AND subject = :fact.subject"
                + " AND kind = :kind AND normalized_text <> :fact.normalizedText RETURNING id")
        .bindMethods("fact", fact)
        .bind("kind", fact.kind().wireName())
        .bind("now", MemorySql.ts(now))
        .bind("newId", newId)
        .bindMap(scope.ownerParams())
        .mapTo(Long.class)
        .list();
  }

  /** The subjects of the owner's active facts, for an extractor to reuse. */
  public List<String> knownSubjects(MemoryScope scope, Instant now) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT DISTINCT subject FROM episodic_facts WHERE "
                        + scope.ownerSql()
                        + " AND valid_to IS NULL AND expires_at > :now ORDER BY subject LIMIT 100")
                .bindMap(scope.ownerParams())
                .bind("now", MemorySql.ts(now))
                .mapTo(String.class)
                .list());
  }

  /** Every fact of the owner, superseded ones included, oldest first. */
  public List<Fact> facts(MemoryScope scope) {
    return FACTS.list(
        jdbi, "WHERE " + scope.ownerSql() + " ORDER BY id", q -> q.bindMap(scope.ownerParams()));
  }

  public Optional<Fact> fact(long id) {
    return FACTS.one(jdbi, "WHERE id = :id", q -> q.bind("id", id));
  }

  /**
   * Recall candidates of the owner for a query: an owner has few episodic facts, so every active
   * one is scored exactly (no index) with both legs in one statement, and the best {@code limit}
   * are kept.
   *
   * @param tsquery the query's lexemes for {@code to_tsquery('simple', …)}, or empty
   */
  static List<MemoryHit> candidates(
      Handle h,
      MemoryScope scope,
      String model,
      float[] vector,
      String tsquery,
      int limit,
      Instant now) {
    String lexical = tsquery.isEmpty() ? "0" : "ts_rank(tsv, to_tsquery('simple', :tsquery), 1)";
    var query =
        h.createQuery(
                ("SELECT * FROM (SELECT %1$s,"
                        + " CASE WHEN embedding_model = :model THEN 1 - (embedding <=> :vector)"
                        + " ELSE 0 END AS dense, %2$s AS lexical FROM episodic_facts WHERE %3$s"
                        + " AND valid_to IS NULL AND expires_at > :now) f"
                        + " ORDER BY dense + lexical DESC, id LIMIT :limit")
                    .formatted(HIT_COLUMNS, lexical, scope.ownerSql()))
            .bind("model", model)
            .bind("vector", new PGvector(vector))
            .bindMap(scope.ownerParams())
            .bind("now", MemorySql.ts(now))
            .bind("limit", limit);
    if (!tsquery.isEmpty()) {
      query.bind("tsquery", tsquery);
    }
    return query.map((rs, ctx) -> MemoryHit.read(MemoryTier.EPISODIC, rs)).list();
  }

  /**
   * Folds taken citations into the episodic facts cited, inside the caller's transaction: citation
   * counts, last-cited times, salience (each citation closes {@link MemorySettings#citationBoost()}
   * of the gap to 1, after decay to {@code now}) and lifetimes (a cited fact lives at least a TTL
   * past its last citation).
   *
   * @return how many facts changed
   */
  long cite(Handle h, List<FactCitations.Counted> counted, Instant now) {
    return FactCitations.fold(
        h,
        counted,
        "UPDATE episodic_facts e SET"
            + "  salience = least(1, 1 - (1 - "
            + MemorySql.DECAYED
            + ") * power(1 - :boost, c.n)),"
            + "  salience_at = greatest(e.salience_at, :now),"
            + "  citations = e.citations + c.n,"
            + "  last_cited_at = greatest(e.last_cited_at, c.last),"
            + "  expires_at = greatest(e.expires_at, c.last + :ttl * interval '1 second')"
            + " FROM "
            + FactCitations.COUNTED_ROWS
            + " WHERE c.tier = 'episodic' AND e.id = c.fact_id",
        update ->
            update
                .bind("now", MemorySql.ts(now))
                .bind("halfLife", (double) settings.salienceHalfLife().toSeconds())
                .bind("boost", settings.citationBoost())
                .bind("ttl", (double) settings.episodicTtl().toSeconds()));
  }

  /**
   * Decays the salience of up to {@code limit} active facts with ids above {@code afterId} to
   * {@code now}, in one statement.
   *
   * @return the ids decayed, ascending
   */
  List<Long> decay(Instant now, long afterId, int limit) {
    List<Long> ids =
        new ArrayList<>(
            jdbi.withHandle(
                h ->
                    h.createQuery(
                            "UPDATE episodic_facts SET salience = "
                                + MemorySql.DECAYED
                                + ", salience_at = :now WHERE id IN (SELECT id FROM episodic_facts"
                                + " WHERE id > :after AND valid_to IS NULL AND salience_at < :now"
                                + " ORDER BY id LIMIT :limit) RETURNING id")
                        .bind("now", MemorySql.ts(now))
                        .bind("halfLife", (double) settings.salienceHalfLife().toSeconds())
                        .bind("after", afterId)
                        .bind("limit", limit)
                        .mapTo(Long.class)
                        .list()));
    ids.sort(null);
    return ids;
  }

  /**
   * Deletes up to {@code limit} facts whose lifetime ended at or before {@code now} (superseded
   * ones included), inside the caller's transaction.
   *
   * @return how many were deleted
   */
  static int deleteExpired(Handle h, Instant now, int limit) {
    return h.createUpdate(
            "DELETE FROM episodic_facts WHERE id IN (SELECT id FROM episodic_facts"
                + " WHERE expires_at <= :now ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED)")
        .bind("now", MemorySql.ts(now))
        .bind("limit", limit)
        .execute();
  }

  /**
   * Up to {@code criteria.batchSize()} active facts of users with ids above {@code afterId} whose
   * decayed salience, citations and age exceed the promotion thresholds, ascending; with {@code
   * lock}, they are locked for the caller's transaction and facts another transaction holds are
   * skipped. An anonymous session's facts are never promoted: they are that session's own, and a
   * semantic fact is a user's.
   */
  List<Long> eligibleForPromotion(
      Handle h, long afterId, MemorySettings.Promotion criteria, Instant now, boolean lock) {
    return h.createQuery(
            "SELECT id FROM episodic_facts WHERE id > :after AND user_id IS NOT NULL"
                + " AND valid_to IS NULL"
                + " AND expires_at > :now AND citations > :minCitations"
                + " AND created_at < :createdBefore AND "
                + MemorySql.DECAYED
                + " > :minSalience ORDER BY id LIMIT :limit"
                + (lock ? " FOR UPDATE SKIP LOCKED" : ""))
        .bind("after", afterId)
        .bind("now", MemorySql.ts(now))
        .bind("minCitations", criteria.minCitations())
        .bind("createdBefore", MemorySql.ts(now.minus(criteria.minAge())))
        .bind("halfLife", (double) settings.salienceHalfLife().toSeconds())
        .bind("minSalience", criteria.minSalience())
        .bind("limit", criteria.batchSize())
        .mapTo(Long.class)
        .list();
  }

  /** Deletes the facts {@code ids}, inside the transaction that promoted them. */
  static void delete(Handle h, List<Long> ids) {
    h.createUpdate("DELETE FROM episodic_facts WHERE id = ANY (:ids)")
        .bindArray("ids", Long.class, ids)
        .execute();
  }

  /** Facts in their validity window and lifetime at {@code now}, and superseded ones. */
  static Counts counts(Handle h, Instant now) {
    return h.createQuery(
            "SELECT count(*) FILTER (WHERE valid_to IS NULL AND expires_at > :now),"
                + " count(*) FILTER (WHERE valid_to IS NOT NULL) FROM episodic_facts")
        .bind("now", MemorySql.ts(now))
        .map((rs, ctx) -> new Counts(rs.getLong(1), rs.getLong(2)))
        .one();
  }

  /**
   * Deletes a collection's rows of {@code episodic_facts} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "episodic_facts", "id", "SELECT id FROM episodic_facts WHERE collection = :key");

  /**
   * Deletes a tenant's user's rows of {@code episodic_facts} ({@link UserForgetting}). A fact
   * carries its session's user, so these are also all the facts of the user's sessions.
   */
  public static final BatchedChange<BatchedChange.User> DELETE_OF_USER =
      BatchedChange.deleteOfUser(
          "episodic_facts",
          "id",
          "SELECT id FROM episodic_facts WHERE tenant = :tenant AND user_id = :userId");
}
