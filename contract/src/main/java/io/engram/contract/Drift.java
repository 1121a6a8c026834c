package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/drift/checks}: compare a collection's recent live queries with its champion's
 * reference queries now; {@code GET /v1/drift/reports}: the stored checks, scheduled or not.
 */
public final class Drift {
  /** The most reports one {@code GET /v1/drift/reports} returns. */
  public static final int MAX_REPORTS = 100;

  private Drift() {}

  /**
   * A check.
   *
   * @param collection the collection to check
   * @param retrain also start a retraining (trigger {@code drift}) when the verdict is drift,
   *     unless one is running (default false: report only)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DriftCheckRequest(
      @NotBlank @Size(max = 63, message = SizeMessages.AT_MOST_CHARS) String collection,
      Boolean retrain) {}

  /**
   * A stored drift report. Every field is written, nulls included: {@code drift} null means
   * insufficient data.
   *
   * @param modelVersion the serving model version whose reference was compared
   * @param referenceSource where the reference came from ({@code first-served}: the first live
   *     queries the version answered)
   * @param referenceQueries queries in the reference window
   * @param recentQueries queries in the recent window
   * @param drift true: drift; false: none; null: insufficient data (either window below the minimum
   *     sample)
   * @param status {@code drift}, {@code moderate} (no drift, but some feature's PSI is past the
   *     stable threshold), {@code stable} or {@code insufficient_data}
   * @param features figures per feature ({@code query_terms}, {@code unknown_term_share}, {@code
   *     top_dense_score}, {@code top_fused_score}, {@code score_spread}), those both windows have
   * @param trigger {@code api} or {@code schedule}
   * @param createdAt ISO-8601 instant
   * @param retraining the retraining a {@code retrain: true} check asked for; null otherwise
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record DriftReport(
      long id,
      String collection,
      String modelVersion,
      String referenceSource,
      int referenceQueries,
      int recentQueries,
      @Schema(nullable = true) Boolean drift,
      String status,
      Map<String, FeatureDrift> features,
      String trigger,
      String createdAt,
      @Schema(nullable = true) Retraining retraining) {

    public DriftReport {
      features = features == null ? Map.of() : features;
    }
  }

  /**
   * One feature's figures, as the drift analysis computes them. Core also stores them as this JSON
   * in {@code drift_reports.features} (keyed by the feature's wire name), so stored reports must
   * stay readable into it.
   *
   * @param psi population stability index, recent against reference (deciles of the reference)
   * @param ksStatistic the two-sample Kolmogorov-Smirnov statistic D
   * @param pValue the KS test's p-value
   * @param referenceMean the mean of the feature over the reference window
   * @param recentMean the mean of the feature over the recent window
   * @param status {@code drift}, {@code moderate}, {@code stable} or, with too few values, {@code
   *     insufficient_data}
   */
  public record FeatureDrift(
      double psi,
      double ksStatistic,
      double pValue,
      double referenceMean,
      double recentMean,
      String status) {}

  /**
   * @param workflowId the retraining's workflow id ({@code retrain-<collection>})
   * @param outcome {@code started}, or {@code already_running} when one was running
   */
  public record Retraining(String workflowId, String outcome) {}

  /** Stored reports, newest first. */
  public record DriftReports(List<DriftReport> reports) {
    public DriftReports {
      reports = reports == null ? List.of() : List.copyOf(reports);
    }
  }
}
