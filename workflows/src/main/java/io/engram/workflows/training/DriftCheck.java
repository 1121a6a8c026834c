package io.engram.workflows.training;

/**
 * One collection's stored drift report, as far as the workflow needs it (the figures stay in {@code
 * drift_reports}).
 *
 * @param reportId the stored report
 * @param modelVersion the serving model version that was checked
 * @param drift true: drift; false: none; null: insufficient data
 * @param status {@code drift}, {@code moderate}, {@code stable} or {@code insufficient_data}
 */
public record DriftCheck(
    String collection, long reportId, String modelVersion, Boolean drift, String status) {}
