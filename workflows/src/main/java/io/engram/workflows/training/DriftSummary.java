package io.engram.workflows.training;

import java.util.List;

/** What a drift check run found, per collection checked. */
public record DriftSummary(List<Checked> collections) {

  /** The retraining was started by this run. */
  public static final String STARTED = RetrainingStarts.STARTED;

  /** A retraining of the collection was already running, so none was started. */
  public static final String ALREADY_RUNNING = RetrainingStarts.ALREADY_RUNNING;

  /**
   * @param retraining {@link #STARTED}, {@link #ALREADY_RUNNING}, or null when none was asked for
   *     (no drift, or the request did not ask)
   */
  public record Checked(DriftCheck check, String retraining) {}

  public DriftSummary {
    collections = collections == null ? List.of() : List.copyOf(collections);
  }
}
