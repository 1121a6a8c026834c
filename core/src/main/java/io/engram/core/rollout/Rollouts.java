package io.engram.core.rollout;

import io.engram.core.db.BatchedChange;
import io.engram.core.db.Columns;
import io.engram.core.db.Rows;
import io.engram.core.tenant.Tenant;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The rollouts ({@code rollouts}): the one class that writes them. Besides the rollouts' record it
 * holds the routing state every API replica reads per request ({@link #routing}).
 */
public final class Rollouts {

  private static final String COLUMNS =
      "r.id, r.workflow_id, r.collection, r.champion_version_id, ch.version,"
          + " r.candidate_version_id, ca.version, r.run_id, r.trigger, r.actor, r.reason,"
          + " r.started_at, r.plan::text, r.phase, r.step, r.shadow_share, r.candidate_share,"
          + " r.interleave_share, r.paused, r.phase_started_at, r.status, r.decision_reason,"
          + " r.ended_at, r.retain_until, r.last_check::text";

  private static final Rows<Rollout> ROLLOUTS =
      new Rows<>(
          COLUMNS,
          "rollouts r JOIN model_versions ch ON ch.id = r.champion_version_id"
              + " JOIN model_versions ca ON ca.id = r.candidate_version_id",
          Rollouts::read);

  /** What starting a rollout stores. */
  public record NewRollout(
      String workflowId,
      String runId,
      String collection,
      long championVersionId,
      long candidateVersionId,
      String trigger,
      String actor,
      String reason,
      RolloutPlan plan) {}

  /**
   * How an API process routes a collection's queries now.
   *
   * @param championVersionId the version the {@code champion} alias points at; null while the
   *     collection has no registered version
   * @param rollout the running rollout; null when none runs or when the champion alias no longer
   *     points at the rollout's champion (an operator moved it: the rollout ends at its next check)
   */
  public record RoutingState(Long championVersionId, Active rollout) {}

  /** A running rollout as routing needs it. */
  public record Active(
      long id,
      long championVersionId,
      long candidateVersionId,
      String phase,
      double shadowShare,
      double candidateShare,
      double interleaveShare) {}

  private final Jdbi jdbi;

  public Rollouts(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Stores a new running rollout in phase {@link Phase#SHADOW} with the plan's shadow share; a
   * second call for the same workflow run returns the first row.
   *
   * @throws RolloutConflictException when another rollout of the collection runs
   */
  static long insert(Handle h, NewRollout r) {
    Optional<Long> existing =
        h.createQuery("SELECT id FROM rollouts WHERE run_id = :runId")
            .bind("runId", r.runId())
            .mapTo(Long.class)
            .findOne();
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      return h.createQuery(
              "INSERT INTO rollouts (workflow_id, run_id, collection, champion_version_id,"
                  + " candidate_version_id, trigger, actor, reason, plan, phase, shadow_share)"
                  + " VALUES (:workflowId, :runId, :collection, :championVersionId,"
                  + " :candidateVersionId, :trigger, :actor, :reason, :plan::jsonb, 'shadow',"
                  + " :shadowShare) RETURNING id")
          .bindMethods(r)
          .bind("plan", r.plan().toJson())
          .bind("shadowShare", r.plan().shadowShare())
          .mapTo(Long.class)
          .one();
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        throw new RolloutConflictException(
            "a rollout of collection '"
                + r.collection()
                + "' is already running; abort it or wait for its decision");
      }
      throw e;
    }
  }

  public Optional<Rollout> find(long id) {
    return jdbi.withHandle(h -> find(h, id));
  }

  static Optional<Rollout> find(Handle h, long id) {
    return ROLLOUTS.one(h, "WHERE r.id = :id", q -> q.bind("id", id));
  }

  /** The newest rollout run by workflow {@code workflowId}. */
  public Optional<Rollout> latest(String workflowId) {
    return ROLLOUTS.one(
        jdbi,
        "WHERE r.workflow_id = :workflowId ORDER BY r.started_at DESC, r.id DESC LIMIT 1",
        q -> q.bind("workflowId", workflowId));
  }

  /** The collection's running rollout, if one runs. */
  public Optional<Rollout> running(String collection) {
    return ROLLOUTS.one(
        jdbi,
        "WHERE r.collection = :collection AND r.status = 'running'",
        q -> q.bind("collection", collection));
  }

  /** As {@link #running(String)}, read in the caller's transaction. */
  static Optional<Rollout> running(Handle h, String collection) {
    return ROLLOUTS.one(
        h,
        "WHERE r.collection = :collection AND r.status = 'running'",
        q -> q.bind("collection", collection));
  }

  /**
   * Every collection with the phase of its running rollout, or {@link Phase#DECIDED} when none
   * runs: what the phase gauge shows.
   */
  public Map<String, String> phases() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT c.name AS collection, COALESCE(r.phase, :decided) AS phase"
                        + " FROM collections c LEFT JOIN rollouts r"
                        + " ON r.collection = c.name AND r.status = 'running' ORDER BY c.name")
                .bind("decided", Phase.DECIDED)
                .reduceRows(
                    new LinkedHashMap<String, String>(),
                    (map, row) -> {
                      map.put(
                          row.getColumn("collection", String.class),
                          row.getColumn("phase", String.class));
                      return map;
                    }));
  }

  /** A tenant's rollouts newest first, of one collection (its key) or (null) of all of them. */
  public List<Rollout> list(Tenant tenant, String collection, int limit) {
    return ROLLOUTS.list(
        jdbi,
        "WHERE (CAST(:collection AS text) IS NULL OR r.collection = :collection)"
            + " AND r.tenant = :tenant ORDER BY r.started_at DESC, r.id DESC LIMIT :limit",
        q -> q.bind("collection", collection).bind("tenant", tenant.id()).bind("limit", limit));
  }

  /** The newest promoted rollout of a collection that has not been undone. */
  public Optional<Rollout> lastPromoted(String collection) {
    return ROLLOUTS.one(
        jdbi,
        "WHERE r.collection = :collection AND r.status = 'promoted'"
            + " ORDER BY r.ended_at DESC, r.id DESC LIMIT 1",
        q -> q.bind("collection", collection));
  }

  /**
   * The routing state of {@code collection}: its champion alias and its running rollout, read in
   * one statement so the two always agree.
   */
  public RoutingState routing(String collection) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT a.version_id, r.id, r.champion_version_id, r.candidate_version_id,"
                        + " r.phase, r.shadow_share, r.candidate_share, r.interleave_share"
                        + " FROM (SELECT CAST(:collection AS text) AS collection) c"
                        + " LEFT JOIN model_aliases a ON a.collection = c.collection"
                        + " AND a.alias = 'champion'"
                        + " LEFT JOIN rollouts r ON r.collection = c.collection"
                        + " AND r.status = 'running'")
                .bind("collection", collection)
                .map(
                    (rs, ctx) -> {
                      Long champion = rs.getObject(1, Long.class);
                      Long rollout = rs.getObject(2, Long.class);
                      if (rollout == null
                          || champion == null
                          || champion.longValue() != rs.getLong(3)) {
                        return new RoutingState(champion, null);
                      }
                      return new RoutingState(
                          champion,
                          new Active(
                              rollout,
                              rs.getLong(3),
                              rs.getLong(4),
                              rs.getString(5),
                              rs.getDouble(6),
                              rs.getDouble(7),
                              rs.getDouble(8)));
                    })
                .one());
  }

  /** Moves a running rollout to {@code phase}: its shares change and its phase clock restarts. */
  static void enter(
      Handle h,
      long id,
      String phase,
      int step,
      double shadowShare,
      double candidateShare,
      double interleaveShare) {
    h.createUpdate(
            "UPDATE rollouts SET phase = :phase, step = :step, shadow_share = :shadow,"
                + " candidate_share = :candidate, interleave_share = :interleave,"
                + " phase_started_at = now() WHERE id = :id AND status = 'running'")
        .bind("id", id)
        .bind("phase", phase)
        .bind("step", step)
        .bind("shadow", shadowShare)
        .bind("candidate", candidateShare)
        .bind("interleave", interleaveShare)
        .execute();
  }

  static void setPaused(Handle h, long id, boolean paused) {
    h.createUpdate("UPDATE rollouts SET paused = :paused WHERE id = :id AND status = 'running'")
        .bind("id", id)
        .bind("paused", paused)
        .execute();
  }

  /** Keeps the figures of the latest check, for whoever reads the rollout's status. */
  public void storeCheck(long id, String figuresJson) {
    jdbi.useHandle(
        h ->
            h.createUpdate("UPDATE rollouts SET last_check = :figures::jsonb WHERE id = :id")
                .bind("id", id)
                .bind("figures", figuresJson)
                .execute());
  }

  /**
   * Ends a running rollout: routing goes back to the champion alias at once.
   *
   * @return false when it had ended already (a retried decision)
   */
  static boolean end(Handle h, long id, String status, String reason, Instant retainUntil) {
    return h.createUpdate(
                "UPDATE rollouts SET status = :status, decision_reason = :reason, phase ="
                    + " 'decided', step = 0, shadow_share = 0, candidate_share = 0,"
                    + " interleave_share = 0, paused = false, ended_at = now(),"
                    + " retain_until = :retainUntil, phase_started_at = now()"
                    + " WHERE id = :id AND status = 'running'")
            .bind("id", id)
            .bind("status", status)
            .bind("reason", reason)
            .bind(
                "retainUntil",
                retainUntil == null ? null : retainUntil.atOffset(java.time.ZoneOffset.UTC))
            .execute()
        == 1;
  }

  /** A version that lost a rollout: the old champion of a promotion, or the candidate. */
  public record Loser(String collection, long versionId, String rolloutWorkflowId) {}

  /**
   * The versions that lost an ended rollout whose retention ({@code retain_until}) passed before
   * {@code now}: the champion a promotion replaced, the candidate of a rollback or an undone
   * promotion. Oldest first.
   */
  public List<Loser> losersRetainedUntil(Instant now) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT collection, CASE status WHEN 'promoted' THEN champion_version_id"
                        + " ELSE candidate_version_id END, workflow_id FROM rollouts"
                        + " WHERE status IN ('promoted', 'rolled_back', 'undone')"
                        + " AND retain_until IS NOT NULL AND retain_until < :now"
                        + " ORDER BY ended_at, id")
                .bind("now", now.atOffset(java.time.ZoneOffset.UTC))
                .map((rs, ctx) -> new Loser(rs.getString(1), rs.getLong(2), rs.getString(3)))
                .list());
  }

  static void markUndone(Handle h, long id) {
    h.createUpdate("UPDATE rollouts SET status = 'undone' WHERE id = :id AND status = 'promoted'")
        .bind("id", id)
        .execute();
  }

  private static Rollout read(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Rollout(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        new Rollout.Version(rs.getLong(4), rs.getInt(5)),
        new Rollout.Version(rs.getLong(6), rs.getInt(7)),
        new Rollout.Start(
            rs.getString(8),
            rs.getString(9),
            rs.getString(10),
            rs.getString(11),
            Columns.instant(rs, 12)),
        RolloutPlan.fromJson(rs.getString(13)),
        new Rollout.Routing(
            rs.getString(14),
            rs.getInt(15),
            rs.getDouble(16),
            rs.getDouble(17),
            rs.getDouble(18),
            rs.getBoolean(19),
            Columns.instant(rs, 20)),
        new Rollout.Outcome(
            rs.getString(21), rs.getString(22), Columns.instant(rs, 23), Columns.instant(rs, 24)),
        rs.getString(25));
  }

  /**
   * Deletes a collection's rows of {@code rollouts} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "rollouts", "id", "SELECT id FROM rollouts WHERE collection = :key");
}
