package io.engram.cli;

/**
 * Latency statistics of client-side benchmarks. Ranking metrics are computed by the evaluation
 * workflow on the server ({@code ./engram eval}), not here.
 */
final class Metrics {
  private Metrics() {}

  /** Nearest-rank percentile of sorted values. */
  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
