package io.engram.core.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.db.BatchedChange;
import io.engram.core.db.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The registered model versions ({@code model_versions}): the one class that reads and writes it.
 */
public final class ModelVersions {
  static final ObjectMapper JSON = new ObjectMapper();

  private static final String COLUMNS =
      "id, collection, version, index_version_id, config::text, artifacts::text, metrics::text,"
          + " lineage::text, gates::text, status, tags::text, created_by, reason, created_at";

  private static final Rows<RegisteredVersion> VERSIONS =
      new Rows<>(COLUMNS, "model_versions", ModelVersions::read);

  /**
   * What a registration stores. Build one with {@link #builder}: the builder's methods say what
   * each part means and which default it has. The constructor checks the parts once and stores
   * unmodifiable copies of the lists and maps.
   *
   * @param gates the gates' verdicts, or null when the version was not gated (stored as SQL null);
   *     an empty list means it was gated by no gate
   * @param status {@link RegisteredVersion#REGISTERED} or {@link RegisteredVersion#REJECTED}
   */
  public record NewVersion(
      String collection,
      int indexVersionId,
      ModelBundle bundle,
      List<RegisteredVersion.Artifact> artifacts,
      Map<String, Map<String, Object>> metrics,
      Map<String, Object> lineage,
      List<RegisteredVersion.Gate> gates,
      String status,
      String createdBy,
      String reason,
      String origin) {

    public NewVersion {
      requireText(collection, "collection");
      Objects.requireNonNull(bundle, "bundle");
      requireText(createdBy, "createdBy");
      requireText(reason, "reason");
      requireText(origin, "origin");
      if (!RegisteredVersion.REGISTERED.equals(status)
          && !RegisteredVersion.REJECTED.equals(status)) {
        throw new IllegalArgumentException(
            "status must be "
                + RegisteredVersion.REGISTERED
                + " or "
                + RegisteredVersion.REJECTED
                + ", was "
                + status);
      }
      artifacts = artifacts == null ? List.of() : unmodifiable(artifacts);
      metrics = metrics == null ? Map.of() : unmodifiable(metrics);
      lineage = lineage == null ? Map.of() : unmodifiable(lineage);
      gates = gates == null ? null : unmodifiable(gates);
    }

    /**
     * A registration of {@code collection}'s next version, to complete with {@link
     * Builder#createdBy}, {@link Builder#reason} and {@link Builder#origin}, which are required.
     *
     * @param indexVersionId the index version it searches
     * @param bundle how it searches that index, reranks and answers
     */
    public static Builder builder(String collection, int indexVersionId, ModelBundle bundle) {
      return new Builder(collection, indexVersionId, bundle);
    }

    /** Collects the optional parts; {@link #build} checks them. */
    public static final class Builder {
      private final String collection;
      private final int indexVersionId;
      private final ModelBundle bundle;
      private List<RegisteredVersion.Artifact> artifacts = List.of();
      private Map<String, Map<String, Object>> metrics = Map.of();
      private Map<String, Object> lineage = Map.of();
      private List<RegisteredVersion.Gate> gates;
      private String status = RegisteredVersion.REGISTERED;
      private String createdBy;
      private String reason;
      private String origin;

      private Builder(String collection, int indexVersionId, ModelBundle bundle) {
        this.collection = collection;
        this.indexVersionId = indexVersionId;
        this.bundle = bundle;
      }

      /** The stored blobs the bundle needs, e.g. its reranker's weights; none by default. */
      public Builder artifacts(List<RegisteredVersion.Artifact> artifacts) {
        this.artifacts = artifacts;
        return this;
      }

      /**
       * Figures per eval set (e.g. {@code scifact/train/held-out}): {@code ndcgAt10}, …; none by
       * default.
       */
      public Builder metrics(Map<String, Map<String, Object>> metrics) {
        this.metrics = metrics;
        return this;
      }

      /**
       * What it was made from: data fingerprint, parent version, study, code commit; none by
       * default.
       */
      public Builder lineage(Map<String, Object> lineage) {
        this.lineage = lineage;
        return this;
      }

      /**
       * The gates' verdicts. By default (or with null) the version was not gated, e.g. migrated or
       * just trained and judged later; an empty list means it was gated by no gate.
       */
      public Builder gates(List<RegisteredVersion.Gate> gates) {
        this.gates = gates;
        return this;
      }

      /**
       * {@link RegisteredVersion#REGISTERED} (the default) or {@link RegisteredVersion#REJECTED}.
       */
      public Builder status(String status) {
        this.status = status;
        return this;
      }

      /** Who registers it, for the record ({@code retraining}, {@code engram}); required. */
      public Builder createdBy(String createdBy) {
        this.createdBy = createdBy;
        return this;
      }

      /** Why it was registered, for the record; required. */
      public Builder reason(String reason) {
        this.reason = reason;
        return this;
      }

      /**
       * What registers it, once (a retraining's run, {@code migration}); a second registration with
       * the same origin returns the first. Required.
       */
      public Builder origin(String origin) {
        this.origin = origin;
        return this;
      }

      /**
       * The registration.
       *
       * @throws IllegalArgumentException when the collection, createdBy, reason or origin is blank,
       *     or the status is neither registered nor rejected
       * @throws NullPointerException when the bundle is null
       */
      public NewVersion build() {
        return new NewVersion(
            collection,
            indexVersionId,
            bundle,
            artifacts,
            metrics,
            lineage,
            gates,
            status,
            createdBy,
            reason,
            origin);
      }
    }

    private static void requireText(String value, String name) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank, was " + value);
      }
    }

    // Copies keep the callers' order and null values, as the stored JSON had them.
    private static <T> List<T> unmodifiable(List<T> list) {
      return Collections.unmodifiableList(new ArrayList<>(list));
    }

    private static <V> Map<String, V> unmodifiable(Map<String, V> map) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
  }

  private final Jdbi jdbi;

  public ModelVersions(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Registers {@code v} under the collection's next number, inside the caller's transaction; the
   * collection's registrations are serialised by an advisory lock, so numbers never collide. A
   * version already registered from the same origin is returned instead.
   *
   * @return the version's row id
   */
  static long insert(Handle h, NewVersion v) {
    h.createQuery(
            "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext('model_versions:' ||"
                + " :collection))) locked")
        .bind("collection", v.collection())
        .mapTo(Integer.class)
        .one();
    Optional<Long> existing =
        h.createQuery(
                "SELECT id FROM model_versions WHERE collection = :collection AND origin = :origin")
            .bind("collection", v.collection())
            .bind("origin", v.origin())
            .mapTo(Long.class)
            .findOne();
    if (existing.isPresent()) {
      return existing.get();
    }
    return h.createQuery(
            "INSERT INTO model_versions (collection, version, index_version_id, config, artifacts,"
                + " metrics, lineage, gates, status, created_by, reason, origin)"
                + " SELECT :collection, COALESCE(MAX(version), 0) + 1, :index, :config::jsonb,"
                + " :artifacts::jsonb, :metrics::jsonb, :lineage::jsonb, :gates::jsonb, :status,"
                + " :createdBy, :reason, :origin FROM model_versions WHERE collection = :collection"
                + " RETURNING id")
        .bind("collection", v.collection())
        .bind("index", v.indexVersionId())
        .bind("config", v.bundle().toJson())
        .bind("artifacts", json(v.artifacts()))
        .bind("metrics", json(v.metrics()))
        .bind("lineage", json(v.lineage()))
        .bind("gates", v.gates() == null ? null : json(v.gates()))
        .bind("status", v.status())
        .bind("createdBy", v.createdBy())
        .bind("reason", v.reason())
        .bind("origin", v.origin())
        .mapTo(Long.class)
        .one();
  }

  public Optional<RegisteredVersion> byId(long id) {
    return VERSIONS.one(jdbi, "WHERE id = :id", q -> q.bind("id", id));
  }

  public Optional<RegisteredVersion> find(String collection, int version) {
    return VERSIONS.one(
        jdbi,
        "WHERE collection = :collection AND version = :version",
        q -> q.bind("collection", collection).bind("version", version));
  }

  /** The collection's versions, newest first. */
  public List<RegisteredVersion> list(String collection) {
    return VERSIONS.list(
        jdbi,
        "WHERE collection = :collection ORDER BY version DESC",
        q -> q.bind("collection", collection));
  }

  /**
   * The versions the gates rejected before {@code cutoff}, oldest first: what index retention looks
   * at for the indexes a retraining rebuilt for candidates that never served.
   */
  public List<RegisteredVersion> rejectedBefore(Instant cutoff) {
    return VERSIONS.list(
        jdbi,
        "WHERE status = 'rejected' AND created_at < :cutoff ORDER BY created_at, id",
        q -> q.bind("cutoff", cutoff.atOffset(java.time.ZoneOffset.UTC)));
  }

  /** Whether the collection has any version. */
  public boolean any(String collection) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT 1 FROM model_versions WHERE collection = :collection LIMIT 1")
                .bind("collection", collection)
                .mapTo(Integer.class)
                .findOne()
                .isPresent());
  }

  /**
   * The status of version row {@code id}, the row locked until the caller's transaction ends: the
   * status a change was allowed on cannot change under it (a promote and an archive of the same
   * version wait for each other).
   */
  static String lockStatus(Handle h, long id) {
    return h.createQuery("SELECT status FROM model_versions WHERE id = :id FOR UPDATE")
        .bind("id", id)
        .mapTo(String.class)
        .one();
  }

  /** The tag in which an archive keeps who archived the version, when and why. */
  public static final String ARCHIVED_TAG = "archived";

  /** The tag in which a rollout keeps what it decided about its candidate. */
  public static final String ROLLOUT_TAG = "rollout";

  /** Tags Engram writes itself, which no client may set or remove. */
  public static final Set<String> OWN_TAGS = Set.of(ARCHIVED_TAG, ROLLOUT_TAG);

  /** The longest tag value, as the API takes them. */
  private static final int MAX_TAG_VALUE = 256;

  /**
   * Archives the version in the caller's transaction, keeping who archived it, when and why in its
   * {@link #ARCHIVED_TAG} (cut to a tag's length); a version archived already keeps its first.
   * Returns whether it changed.
   */
  static boolean archive(Handle h, long id, String actor, String reason) {
    return h.createUpdate(
                "UPDATE model_versions SET status = 'archived', tags = tags ||"
                    + " jsonb_build_object(:tag, left(to_char(now() AT TIME ZONE 'UTC',"
                    + " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' by ' || :actor || ': ' || :reason,"
                    + " :max)) WHERE id = :id AND status <> 'archived'")
            .bind("tag", ARCHIVED_TAG)
            .bind("max", MAX_TAG_VALUE)
            .bind("actor", actor)
            .bind("reason", reason)
            .bind("id", id)
            .execute()
        > 0;
  }

  static void setStatus(Handle h, long id, String status) {
    h.createUpdate("UPDATE model_versions SET status = :status WHERE id = :id")
        .bind("status", status)
        .bind("id", id)
        .execute();
  }

  static void setGates(Handle h, long id, List<RegisteredVersion.Gate> gates) {
    h.createUpdate("UPDATE model_versions SET gates = :gates::jsonb WHERE id = :id")
        .bind("gates", json(gates))
        .bind("id", id)
        .execute();
  }

  /** Records the figures of one eval set (e.g. {@code scifact/train/held-out}). */
  public void putMetrics(long id, String evalSet, Map<String, Object> figures) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE model_versions SET metrics = metrics || jsonb_build_object(:set,"
                        + " :figures::jsonb) WHERE id = :id")
                .bind("set", evalSet)
                .bind("figures", json(figures))
                .bind("id", id)
                .execute());
  }

  /** Sets (or with a null value removes) one free-form tag. */
  public void tag(long id, String key, String value) {
    jdbi.useHandle(h -> tag(h, id, key, value));
  }

  /** As {@link #tag(long, String, String)}, in the caller's transaction. */
  public static void tag(Handle h, long id, String key, String value) {
    h.createUpdate(
            value == null
                ? "UPDATE model_versions SET tags = tags - :key WHERE id = :id"
                : "UPDATE model_versions SET tags = tags || jsonb_build_object(:key,"
                    + " :value) WHERE id = :id")
        .bind("key", key)
        .bind("value", value)
        .bind("id", id)
        .execute();
  }

  private static RegisteredVersion read(
      ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
    return new RegisteredVersion(
        rs.getLong(1),
        rs.getString(2),
        rs.getInt(3),
        rs.getInt(4),
        ModelBundle.fromJson(rs.getString(5)),
        parse(rs.getString(6), new TypeReference<List<RegisteredVersion.Artifact>>() {}),
        parse(rs.getString(7), new TypeReference<Map<String, Map<String, Object>>>() {}),
        parse(rs.getString(8), new TypeReference<Map<String, Object>>() {}),
        rs.getString(9) == null
            ? List.of()
            : parse(rs.getString(9), new TypeReference<List<RegisteredVersion.Gate>>() {}),
        rs.getString(10),
        parse(rs.getString(11), new TypeReference<Map<String, String>>() {}),
        rs.getString(12),
        rs.getString(13),
        rs.getTimestamp(14).toInstant(),
        List.of());
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot store " + value, e);
    }
  }

  static <T> T parse(String json, TypeReference<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored registry value is not valid JSON", e);
    }
  }

  /**
   * Deletes a collection's rows of {@code model_versions} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "model_versions", "id", "SELECT id FROM model_versions WHERE collection = :key");
}
