package io.engram.workflows.training;

import java.util.List;

/**
 * What a scheduled retraining did, per collection.
 *
 * @param collections each collection asked, in order
 */
public record ScheduledRetrainingSummary(List<Asked> collections) {

  /**
   * One collection's retraining.
   *
   * @param start {@code started}, or {@code already_running} (then its result is not waited for)
   * @param result how it ended; null when one was already running
   */
  public record Asked(String collection, String start, RetrainingResult result) {}
}
