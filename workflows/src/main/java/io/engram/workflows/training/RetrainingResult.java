package io.engram.workflows.training;

import java.util.List;

/**
 * How a retraining ended.
 *
 * @param reason why it ran, or why not: {@code force}, {@code no_model}, {@code
 *     model_too_old_<n>_days}, {@code data_changed}, {@code drift}, {@code
 *     performance_degraded_<pct>}, {@code new_feedback_<n>}, {@code model_still_valid}, …
 * @param outcome {@code no_op}, {@code staged}, {@code rejected} or {@code failed}
 * @param version the registered version number; null for {@code no_op} and {@code failed}
 * @param gates each gate with its verdict; empty when none ran
 * @param failure why it failed; null otherwise
 * @param rollout the workflow id of the rollout the staged version started by itself ({@code
 *     ENGRAM_ROLLOUT_AUTO_START}); null when none was started
 */
public record RetrainingResult(
    String reason,
    String outcome,
    Integer version,
    List<Gate> gates,
    String failure,
    String rollout) {

  public static final String NO_OP = "no_op";
  public static final String STAGED = "staged";
  public static final String REJECTED = "rejected";
  public static final String FAILED = "failed";

  /** One gate's verdict. */
  public record Gate(String name, boolean passed, String reason) {}

  public RetrainingResult {
    gates = gates == null ? List.of() : List.copyOf(gates);
  }

  /** A retraining that started no rollout. */
  public RetrainingResult(
      String reason, String outcome, Integer version, List<Gate> gates, String failure) {
    this(reason, outcome, version, gates, failure, null);
  }
}
