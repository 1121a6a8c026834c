package io.engram.core.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.contract.Drift.FeatureDrift;
import io.engram.core.db.BatchedChange;
import io.engram.core.db.Rows;
import io.engram.core.tenant.Tenant;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The drift reports ({@code drift_reports}): one row per check, its per-feature figures as JSON
 * keyed by {@link Feature#wireName()}.
 */
public final class DriftReports {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, FeatureDrift>> FIGURES = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, collection, model_version, reference_source, reference_size, recent_size, drift,"
          + " status, features::text, trigger, created_at";

  private static final RowMapper<DriftReport> ROW =
      (rs, ctx) ->
          new DriftReport(
              rs.getLong(1),
              rs.getString(2),
              rs.getString(3),
              rs.getString(4),
              rs.getInt(5),
              rs.getInt(6),
              rs.getObject(7, Boolean.class),
              rs.getString(8),
              fromJson(rs.getString(9)),
              rs.getString(10),
              rs.getObject(11, OffsetDateTime.class).toInstant());

  private static final Rows<DriftReport> REPORTS = new Rows<>(COLUMNS, "drift_reports", ROW);

  /** What a check found, before it is stored. */
  public record NewReport(
      String collection,
      String modelVersion,
      String referenceSource,
      int referenceSize,
      int recentSize,
      DriftAnalysis.Comparison comparison,
      String trigger) {}

  private final Jdbi jdbi;

  public DriftReports(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Stores a report. With a {@code checkKey} (a workflow's run and collection) a second store of
   * the same check returns the report stored first and stores nothing, so a retried activity leaves
   * one report.
   */
  public DriftReport store(NewReport r, String checkKey) {
    return jdbi.inTransaction(
        h -> {
          Optional<DriftReport> stored =
              h.createQuery(
                      "INSERT INTO drift_reports (collection, model_version, reference_source,"
                          + " reference_size, recent_size, drift, status, features, trigger,"
                          + " check_key) VALUES (:collection, :modelVersion, :referenceSource,"
                          + " :referenceSize, :recentSize, :drift, :status, CAST(:features AS"
                          + " jsonb), :trigger, :checkKey) ON CONFLICT (check_key) DO NOTHING"
                          + " RETURNING "
                          + COLUMNS)
                  .bindMethods(r)
                  .bind("drift", r.comparison().drift())
                  .bind("status", r.comparison().status())
                  .bind("features", toJson(r.comparison().features()))
                  .bind("checkKey", checkKey)
                  .map(ROW)
                  .findOne();
          if (stored.isPresent()) {
            return stored.get();
          }
          return REPORTS
              .one(h, "WHERE check_key = :checkKey", q -> q.bind("checkKey", checkKey))
              .orElseThrow();
        });
  }

  /**
   * The latest {@code limit} reports of {@code tenant}'s collections, newest first; of one
   * collection (its key) unless it is null.
   */
  public List<DriftReport> latest(Tenant tenant, String collection, int limit) {
    return REPORTS.list(
        jdbi,
        "WHERE tenant = :tenant AND (CAST(:collection AS text) IS NULL OR collection = :collection)"
            + " ORDER BY created_at DESC, id DESC LIMIT :limit",
        q -> q.bind("tenant", tenant.id()).bind("collection", collection).bind("limit", limit));
  }

  static String toJson(Map<Feature, FeatureDrift> features) {
    Map<String, FeatureDrift> byName = new LinkedHashMap<>();
    features.forEach((f, d) -> byName.put(f.wireName(), d));
    try {
      return JSON.writeValueAsString(byName);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write drift figures", e);
    }
  }

  static Map<Feature, FeatureDrift> fromJson(String json) {
    Map<String, FeatureDrift> byName;
    try {
      byName = JSON.readValue(json, FIGURES);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable drift figures", e);
    }
    Map<Feature, FeatureDrift> out = new EnumMap<>(Feature.class);
    for (Feature f : Feature.values()) {
      FeatureDrift d = byName.get(f.wireName());
      if (d != null) {
        out.put(f, d);
      }
    }
    return out;
  }

  /**
   * Deletes a collection's rows of {@code drift_reports} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "drift_reports", "id", "SELECT id FROM drift_reports WHERE collection = :key");
}
