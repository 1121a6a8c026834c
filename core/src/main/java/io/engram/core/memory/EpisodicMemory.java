package io.engram.core.memory;

import com.pgvector.PGvector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Episodic memory in PostgreSQL: facts distilled from conversations, each with a vector, a
 * salience, a citation count, a lifetime and a validity window.
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

  private final DataSource dataSource;
  private final MemorySettings settings;

  public EpisodicMemory(DataSource dataSource, MemorySettings settings) {
    this.dataSource = dataSource;
    this.settings = settings;
  }

  /**
   * Stores {@code facts} with their vectors inside the caller's transaction, deduplicating and
   * superseding as described above. Facts are handled in order, so a later fact of the batch may
   * restate or contradict an earlier one.
   */
  public StoreResult store(
      Connection c,
      MemoryScope scope,
      List<ExtractedFact> facts,
      List<float[]> vectors,
      String model,
      String extractor,
      Instant now)
      throws SQLException {
    if (facts.size() != vectors.size()) {
      throw new IllegalArgumentException("one vector per fact expected");
    }
    try (PreparedStatement lock =
        c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
      // Two sessions of one user distilled at once must not both store the same new fact.
      lock.setString(1, scope.lockKey());
      lock.execute();
    }
    List<Long> stored = new ArrayList<>();
    int reinforcedSemantic = 0;
    Set<Long> merged = new LinkedHashSet<>();
    Set<Long> superseded = new LinkedHashSet<>();
    for (int i = 0; i < facts.size(); i++) {
      ExtractedFact fact = facts.get(i);
      PGvector vector = new PGvector(vectors.get(i));
      Optional<Long> same = findRestatement(c, scope, fact, vector, model, now);
      if (same.isPresent()) {
        reinforce(c, same.get(), fact, now);
        merged.add(same.get());
        continue;
      }
      if (findSemanticRestatement(c, scope, fact, vector, model, now)) {
        // Already general knowledge of this owner: reinforced there, not copied back.
        reinforcedSemantic++;
        continue;
      }
      long id = insert(c, scope, fact, vector, model, extractor, now);
      stored.add(id);
      if (fact.kind().exclusive()) {
        superseded.addAll(supersede(c, scope, fact, id, now));
      }
    }
    MemorySql.addEvent(c, "distilled", stored.size(), now);
    MemorySql.addEvent(c, "merged", merged.size(), now);
    MemorySql.addEvent(c, "superseded", superseded.size(), now);
    return new StoreResult(
        stored, List.copyOf(merged), List.copyOf(superseded), reinforcedSemantic);
  }

  private Optional<Long> findRestatement(
      Connection c,
      MemoryScope scope,
      ExtractedFact fact,
      PGvector vector,
      String model,
      Instant now)
      throws SQLException {
    String sql =
        "SELECT id FROM episodic_facts WHERE "
            + scope.ownerSql("")
            + " AND valid_to IS NULL AND expires_at > ?"
            + " AND (normalized_text = ? OR (subject = ? AND embedding_model = ?"
            + "      AND 1 - (embedding <=> ?) >= ?))"
            + " ORDER BY (normalized_text = ?) DESC, id LIMIT 1 FOR UPDATE";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, scope.ownerParam());
      ps.setObject(2, MemorySql.ts(now));
      ps.setString(3, fact.normalizedText());
      ps.setString(4, fact.subject());
      ps.setString(5, model);
      ps.setObject(6, vector);
      ps.setDouble(7, settings.dedupSimilarity());
      ps.setString(8, fact.normalizedText());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  /**
   * A restatement raises salience as a citation does, extends the fact's life and adds the turns to
   * its lineage; the citation count stays, since nothing cited it.
   */
  private void reinforce(Connection c, long id, ExtractedFact fact, Instant now)
      throws SQLException {
    String sql =
        "UPDATE episodic_facts SET salience = least(1, "
            + MemorySql.DECAYED
            + " + ? * (1 - "
            + MemorySql.DECAYED
            + ")), salience_at = greatest(salience_at, ?),"
            + " confidence = greatest(confidence, ?),"
            + " expires_at = greatest(expires_at, ?),"
            + " source_turn_ids = ARRAY(SELECT DISTINCT unnest(source_turn_ids || ?) ORDER BY 1)"
            + " WHERE id = ?";
    double halfLife = settings.salienceHalfLife().toSeconds();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, MemorySql.ts(now));
      ps.setDouble(2, halfLife);
      ps.setDouble(3, settings.citationBoost());
      ps.setObject(4, MemorySql.ts(now));
      ps.setDouble(5, halfLife);
      ps.setObject(6, MemorySql.ts(now));
      ps.setDouble(7, fact.confidence());
      ps.setObject(8, MemorySql.ts(now.plus(settings.episodicTtl())));
      ps.setArray(9, MemorySql.longs(c, fact.sourceTurnIds()));
      ps.setLong(10, id);
      ps.executeUpdate();
    }
  }

  private boolean findSemanticRestatement(
      Connection c,
      MemoryScope scope,
      ExtractedFact fact,
      PGvector vector,
      String model,
      Instant now)
      throws SQLException {
    String sql =
        "UPDATE semantic_facts SET salience = least(1, salience + ? * (1 - salience)),"
            + " source_turn_ids = ARRAY(SELECT DISTINCT unnest(source_turn_ids || ?) ORDER BY 1)"
            + " WHERE id = (SELECT id FROM semantic_facts WHERE collection = ?"
            + "   AND user_id IS NOT DISTINCT FROM ? AND valid_to IS NULL"
            + "   AND (normalized_text = ? OR (subject = ? AND embedding_model = ?"
            + "        AND 1 - (embedding <=> ?) >= ?))"
            + "   ORDER BY (normalized_text = ?) DESC, id LIMIT 1)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setDouble(1, settings.citationBoost());
      ps.setArray(2, MemorySql.longs(c, fact.sourceTurnIds()));
      ps.setString(3, scope.collection());
      ps.setString(4, scope.userId());
      ps.setString(5, fact.normalizedText());
      ps.setString(6, fact.subject());
      ps.setString(7, model);
      ps.setObject(8, vector);
      ps.setDouble(9, settings.dedupSimilarity());
      ps.setString(10, fact.normalizedText());
      return ps.executeUpdate() > 0;
    }
  }

  private long insert(
      Connection c,
      MemoryScope scope,
      ExtractedFact fact,
      PGvector vector,
      String model,
      String extractor,
      Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO episodic_facts (session_id, user_id, collection, subject, kind, text,"
                + " normalized_text, embedding, embedding_model, confidence, salience, salience_at,"
                + " created_at, expires_at, valid_from, source_turn_ids, extractor)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
      ps.setObject(1, scope.sessionId());
      ps.setString(2, scope.userId());
      ps.setString(3, scope.collection());
      ps.setString(4, fact.subject());
      ps.setString(5, fact.kind().wireName());
      ps.setString(6, fact.text());
      ps.setString(7, fact.normalizedText());
      ps.setObject(8, vector);
      ps.setString(9, model);
      ps.setDouble(10, fact.confidence());
      ps.setDouble(11, settings.initialSalience(fact.confidence()));
      ps.setObject(12, MemorySql.ts(now));
      ps.setObject(13, MemorySql.ts(now));
      ps.setObject(14, MemorySql.ts(now.plus(settings.episodicTtl())));
      ps.setObject(15, MemorySql.ts(now));
      ps.setArray(16, MemorySql.longs(c, fact.sourceTurnIds()));
      ps.setString(17, extractor);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Marks the owner's active facts of the same subject and kind with a different text as superseded
   * by {@code newId}, in episodic memory and (for a known user) in semantic memory.
   */
  private List<Long> supersede(
      Connection c, MemoryScope scope, ExtractedFact fact, long newId, Instant now)
      throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE episodic_facts SET valid_to = ?, superseded_by = ? WHERE "
                + scope.ownerSql("")
                + " AND valid_to IS NULL AND id <> ? AND subject = ? AND kind = ?"
                + " AND normalized_text <> ? RETURNING id")) {
      ps.setObject(1, MemorySql.ts(now));
      ps.setLong(2, newId);
      ps.setObject(3, scope.ownerParam());
      ps.setLong(4, newId);
      ps.setString(5, fact.subject());
      ps.setString(6, fact.kind().wireName());
      ps.setString(7, fact.normalizedText());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    if (scope.userId() != null) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE semantic_facts SET valid_to = ?, superseded_by = ? WHERE collection = ?"
                  + " AND user_id = ? AND valid_to IS NULL AND subject = ? AND kind = ?"
                  + " AND normalized_text <> ? RETURNING episodic_fact_id")) {
        ps.setObject(1, MemorySql.ts(now));
        ps.setLong(2, newId);
        ps.setString(3, scope.collection());
        ps.setString(4, scope.userId());
        ps.setString(5, fact.subject());
        ps.setString(6, fact.kind().wireName());
        ps.setString(7, fact.normalizedText());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
          }
        }
      }
    }
    return ids;
  }

  /** The subjects of the owner's active facts, for an extractor to reuse. */
  public List<String> knownSubjects(MemoryScope scope, Instant now) throws SQLException {
    List<String> subjects = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT DISTINCT subject FROM episodic_facts WHERE "
                    + scope.ownerSql("")
                    + " AND valid_to IS NULL AND expires_at > ? ORDER BY subject LIMIT 100")) {
      ps.setObject(1, scope.ownerParam());
      ps.setObject(2, MemorySql.ts(now));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          subjects.add(rs.getString(1));
        }
      }
    }
    return subjects;
  }

  /** Every fact of the owner, superseded ones included, oldest first. */
  public List<Fact> facts(MemoryScope scope) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM episodic_facts WHERE "
                    + scope.ownerSql("")
                    + " ORDER BY id")) {
      ps.setObject(1, scope.ownerParam());
      return read(ps);
    }
  }

  public Optional<Fact> fact(long id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM episodic_facts WHERE id = ?")) {
      ps.setLong(1, id);
      List<Fact> found = read(ps);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }
  }

  private static List<Fact> read(PreparedStatement ps) throws SQLException {
    List<Fact> facts = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long link = rs.getLong(14);
        Long supersededBy = rs.wasNull() ? null : link;
        facts.add(
            new Fact(
                rs.getLong(1),
                rs.getObject(2, UUID.class),
                rs.getString(3),
                rs.getString(4),
                FactKind.fromWire(rs.getString(5)),
                rs.getString(6),
                rs.getDouble(7),
                rs.getDouble(8),
                rs.getInt(9),
                MemorySql.instant(rs, 10),
                MemorySql.instant(rs, 11),
                MemorySql.instant(rs, 12),
                MemorySql.instant(rs, 13),
                supersededBy,
                MemorySql.longs(rs.getArray(15)),
                rs.getString(16)));
      }
    }
    return facts;
  }
}
