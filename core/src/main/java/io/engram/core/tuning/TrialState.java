package io.engram.core.tuning;

import java.util.Locale;

/** Where a trial is: asked and being evaluated, or finished in one of three ways. */
public enum TrialState {
  RUNNING,
  /** Evaluated in full; the trial has a value. */
  COMPLETE,
  /** Stopped early by the pruner on a partial evaluation; no value. */
  PRUNED,
  /** The evaluation failed; no value. */
  FAILED;

  public boolean finished() {
    return this != RUNNING;
  }

  public String stored() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TrialState fromStored(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
