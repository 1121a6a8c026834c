package io.engram.core.drift;

import io.engram.core.CoreServices;
import io.engram.core.query.QueryPipelines;
import io.engram.core.querylog.QueryLog;
import io.engram.core.training.TrainingSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;

/**
 * Drift detection for a collection: its recent live queries (the last {@code window} the serving
 * model version answered, leaving out those its reference is made of) against the reference window
 * of that version ({@link DriftReference}), feature by feature ({@link DriftAnalysis}); the report
 * is stored and exported as metrics. The one path the API's checks and the scheduled {@code
 * DriftWorkflow} both take.
 */
public final class DriftDetector {
  private final QueryLog queryLog;
  private final DriftReference reference;
  private final DriftReports reports;
  private final TrainingSettings.Drift settings;
  private final DriftMetrics metrics;

  public DriftDetector(
      QueryLog queryLog,
      DriftReference reference,
      DriftReports reports,
      TrainingSettings.Drift settings,
      DriftMetrics metrics) {
    this.queryLog = queryLog;
    this.reference = reference;
    this.reports = reports;
    this.settings = settings;
    this.metrics = metrics;
  }

  /**
   * The detector of a process: its query log and settings, the reference of the version its
   * pipelines serve (today the first queries that version served, see {@link
   * FirstServedReference}), reports in the process's database, metrics in {@code registry}.
   */
  public static DriftDetector create(
      CoreServices core, QueryPipelines pipelines, MeterRegistry registry) {
    return new DriftDetector(
        core.queryLog(),
        new FirstServedReference(
            core.queryLog(), collection -> pipelines.champion(collection).name()),
        new DriftReports(core.jdbi()),
        core.settings().training().drift(),
        new DriftMetrics(registry));
  }

  /**
   * Checks {@code collection} now, stores the report and exports it.
   *
   * @param trigger {@link DriftReport#SCHEDULE} or {@link DriftReport#API}
   * @param checkKey makes a repeated check store one report (see {@link DriftReports#store}); null
   *     for a check of its own
   */
  public DriftReport check(String collection, String trigger, String checkKey) {
    Objects.requireNonNull(collection, "collection");
    DriftReference.Window ref = reference.reference(collection, settings.window());
    List<QueryFeatures> recent =
        queryLog.lastFeatured(collection, ref.modelVersion(), settings.window()).stream()
            .filter(q -> !ref.liveQueryIds().contains(q.id()))
            .map(QueryLog.Featured::features)
            .toList();
    DriftAnalysis.Comparison comparison = DriftAnalysis.compare(ref.features(), recent, settings);
    DriftReport report =
        reports.store(
            new DriftReports.NewReport(
                collection,
                ref.modelVersion(),
                ref.source(),
                ref.features().size(),
                recent.size(),
                comparison,
                trigger),
            checkKey);
    metrics.exported(report);
    return report;
  }

  /** The latest {@code limit} reports, newest first; of one collection unless it is null. */
  public List<DriftReport> reports(String collection, int limit) {
    return reports.latest(collection, limit);
  }

  /** The collections a scheduled check looks at: those with live queries to compare. */
  public List<String> collections() {
    return queryLog.collectionsWithFeatures();
  }

  public TrainingSettings.Drift settings() {
    return settings;
  }
}
