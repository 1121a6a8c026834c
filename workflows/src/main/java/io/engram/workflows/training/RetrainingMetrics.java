package io.engram.workflows.training;

import com.uber.m3.tally.Scope;
import io.temporal.workflow.Workflow;
import java.util.Map;

/**
 * What a retraining reports to the worker's metrics, through the workflow's metrics scope: the SDK
 * drops what a replay reports, so each phase and trial is counted once however often the history is
 * replayed, and the counters carry the SDK's tags (workflow_type, task_queue, namespace) besides
 * their own few values, never a collection or a workflow id.
 */
final class RetrainingMetrics {
  /** Phases entered ({@code engram_retraining_phases_total}), tagged {@value #TAG_PHASE}. */
  static final String PHASES = "engram_retraining_phases";

  /**
   * Trials finished ({@code engram_retraining_trials_total}), tagged {@value #TAG_STATE}: {@code
   * complete}, {@code pruned} or {@code failed}.
   */
  static final String TRIALS = "engram_retraining_trials";

  static final String TAG_PHASE = "phase";
  static final String TAG_STATE = "state";

  /** The state of a trial whose activity failed for good. */
  static final String FAILED = "failed";

  private RetrainingMetrics() {}

  static void entered(String phase) {
    scope(TAG_PHASE, phase).counter(PHASES).inc(1);
  }

  static void trialFinished(String state) {
    scope(TAG_STATE, state).counter(TRIALS).inc(1);
  }

  private static Scope scope(String tag, String value) {
    return Workflow.getMetricsScope().tagged(Map.of(tag, value));
  }
}
