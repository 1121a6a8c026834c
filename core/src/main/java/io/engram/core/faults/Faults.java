package io.engram.core.faults;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fault switches of one process, for tests and the rollout simulator: latency added to one model
 * version's retrieval (a slow candidate). Off unless {@code ENGRAM_FAULTS_ENABLED=true}; a process
 * with faults disabled refuses to set one, so production cannot be slowed by a stray request.
 */
public final class Faults {
  /** The switches of a process that has none and may set none. */
  public static final Faults DISABLED = new Faults(false);

  /** The most latency one switch may add. */
  public static final long MAX_LATENCY_MS = 60_000;

  private final boolean enabled;
  private final Map<String, Long> latencyMs = new ConcurrentHashMap<>();

  public Faults(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * Adds {@code millis} to every retrieval of model version {@code modelVersion} (its label, e.g.
   * {@code scifact/v3}); 0 removes the switch.
   *
   * @throws IllegalStateException when faults are disabled
   */
  public void setLatency(String modelVersion, long millis) {
    if (!enabled) {
      throw new IllegalStateException(
          "fault switches are disabled; start the process with ENGRAM_FAULTS_ENABLED=true");
    }
    if (millis < 0 || millis > MAX_LATENCY_MS) {
      throw new IllegalArgumentException(
          "latency must be in [0, " + MAX_LATENCY_MS + "] ms, got " + millis);
    }
    if (millis == 0) {
      latencyMs.remove(modelVersion);
    } else {
      latencyMs.put(modelVersion, millis);
    }
  }

  /** The latency added to {@code modelVersion}'s retrieval; 0 when none. */
  public long latencyMs(String modelVersion) {
    if (!enabled || latencyMs.isEmpty()) {
      return 0;
    }
    return latencyMs.getOrDefault(modelVersion, 0L);
  }

  /** The switches set, by model version. */
  public Map<String, Long> latencies() {
    return new TreeMap<>(latencyMs);
  }

  /** Waits the latency switched on for {@code modelVersion}, if any. */
  public void delay(String modelVersion) {
    long millis = latencyMs(modelVersion);
    if (millis > 0) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
