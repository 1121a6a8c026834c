package io.engram.core.tuning;

import io.engram.core.tuning.SearchSpace.CategoricalParam;
import io.engram.core.tuning.SearchSpace.FloatParam;
import io.engram.core.tuning.SearchSpace.IntParam;
import io.engram.core.tuning.SearchSpace.Param;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * A mixture of product distributions over a group of parameters, one kernel per observation plus
 * one for the prior, as Optuna's {@code _ParzenEstimator} builds it: truncated Gaussians (in the
 * logarithm on a log scale, over the grid's cells for integers) with Optuna's bandwidth rule (the
 * larger gap to a neighbour, the outermost kernels taking their inner gap, clipped to [range /
 * min(100, kernels + 1), range]), and categorical kernels that put weight 1 on the observed choice
 * plus {@code priorWeight / kernels} on every choice. Older observations weigh less once there are
 * more than 25 ({@link #observationWeights}).
 *
 * <p>Values are in the sampler's internal form: a float or integer as a double, a categorical
 * choice as its index.
 */
final class ParzenEstimator {
  private final List<Param> params;
  private final double[] weights;
  private final Object[] components;

  /** Kernels of one categorical parameter: {@code probs[kernel][choice]}. */
  private record Categorical(double[][] probs) {}

  /**
   * Kernels of one numerical parameter, in the transformed space (logarithm on a log scale) with
   * the adapted bounds (integers: widened by half a step each side).
   *
   * @param logNorm per kernel, the log of its Gaussian's mass within the bounds
   */
  private record Numerical(
      double[] mus,
      double[] sigmas,
      double[] logNorm,
      double lowT,
      double highT,
      boolean log,
      double step,
      double low,
      double high) {}

  /**
   * @param observations one row per observation, in trial-number order, one value per parameter
   */
  ParzenEstimator(List<Param> params, List<double[]> observations, double priorWeight) {
    this.params = params;
    int n = observations.size();
    double[] w;
    if (n == 0) {
      w = new double[] {1.0};
    } else {
      w = Arrays.copyOf(observationWeights(n), n + 1);
      w[n] = priorWeight;
    }
    double sum = Arrays.stream(w).sum();
    for (int i = 0; i < w.length; i++) {
      w[i] /= sum;
    }
    this.weights = w;
    this.components = new Object[params.size()];
    for (int j = 0; j < params.size(); j++) {
      double[] column = new double[n];
      for (int i = 0; i < n; i++) {
        column[i] = observations.get(i)[j];
      }
      components[j] =
          params.get(j) instanceof CategoricalParam c
              ? categorical(column, c.choices().size(), priorWeight)
              : numerical(column, params.get(j));
    }
  }

  /**
   * Optuna's {@code default_weights}: equal weights up to 25 observations, beyond that a ramp from
   * {@code 1/n} for the oldest to 1, the newest 25 at 1.
   */
  static double[] observationWeights(int n) {
    double[] w = new double[n];
    Arrays.fill(w, 1.0);
    if (n >= 25) {
      int ramp = n - 25;
      for (int i = 0; i < ramp; i++) {
        // numpy.linspace(1/n, 1, num=ramp)
        w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
      }
    }
    return w;
  }

  private static Categorical categorical(double[] observed, int choices, double priorWeight) {
    int n = observed.length;
    if (n == 0) {
      double[][] uniform = new double[1][choices];
      Arrays.fill(uniform[0], 1.0 / choices);
      return new Categorical(uniform);
    }
    int kernels = n + 1;
    double[][] probs = new double[kernels][choices];
    for (int k = 0; k < kernels; k++) {
      Arrays.fill(probs[k], priorWeight / kernels);
      if (k < n) {
        probs[k][(int) observed[k]] += 1;
      }
      double sum = Arrays.stream(probs[k]).sum();
      for (int c = 0; c < choices; c++) {
        probs[k][c] /= sum;
      }
    }
    return new Categorical(probs);
  }

  private static Numerical numerical(double[] observed, Param param) {
    double low;
    double high;
    double step;
    boolean log;
    if (param instanceof FloatParam f) {
      low = f.low();
      high = f.high();
      step = 0;
      log = f.log();
    } else {
      IntParam i = (IntParam) param;
      low = i.low();
      high = i.high();
      step = i.step();
      log = i.log();
    }
    double lowT = low - step / 2;
    double highT = high + step / 2;
    if (log) {
      lowT = Math.log(lowT);
      highT = Math.log(highT);
    }
    int n = observed.length;
    double[] mus = new double[n + 1];
    double[] sigmas = new double[n + 1];
    for (int i = 0; i < n; i++) {
      mus[i] = log ? Math.log(observed[i]) : observed[i];
    }
    if (n > 0) {
      Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
      Arrays.sort(order, Comparator.comparingDouble(i -> mus[i]));
      double[] withEnds = new double[n + 2];
      withEnds[0] = lowT;
      withEnds[n + 1] = highT;
      for (int i = 0; i < n; i++) {
        withEnds[i + 1] = mus[order[i]];
      }
      double[] sorted = new double[n];
      for (int i = 0; i < n; i++) {
        sorted[i] = Math.max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]);
      }
      // consider_endpoints=False: the outermost kernels take the gap to their inner neighbour.
      if (n >= 2) {
        sorted[0] = withEnds[2] - withEnds[1];
        sorted[n - 1] = withEnds[n] - withEnds[n - 1];
      }
      // consider_magic_clip=True.
      double maxSigma = highT - lowT;
      double minSigma = (highT - lowT) / Math.min(100.0, 1.0 + (n + 1));
      for (int i = 0; i < n; i++) {
        sigmas[order[i]] = Math.max(minSigma, Math.min(maxSigma, sorted[i]));
      }
    }
    mus[n] = 0.5 * (lowT + highT);
    sigmas[n] = highT - lowT;
    double[] logNorm = new double[n + 1];
    for (int k = 0; k <= n; k++) {
      logNorm[k] = Gaussian.logMass((lowT - mus[k]) / sigmas[k], (highT - mus[k]) / sigmas[k]);
    }
    return new Numerical(mus, sigmas, logNorm, lowT, highT, log, step, low, high);
  }

  /** {@code size} draws from the mixture, one row per draw. */
  double[][] sample(Random rng, int size) {
    double[][] out = new double[size][params.size()];
    for (int s = 0; s < size; s++) {
      int k = pick(weights, rng.nextDouble());
      for (int j = 0; j < components.length; j++) {
        if (components[j] instanceof Categorical c) {
          out[s][j] = pick(c.probs()[k], rng.nextDouble());
        } else {
          Numerical d = (Numerical) components[j];
          double x = Gaussian.truncated(rng, d.mus()[k], d.sigmas()[k], d.lowT(), d.highT());
          if (d.log()) {
            x = Math.exp(x);
          }
          if (d.step() > 0) {
            x = d.low() + Math.round((x - d.low()) / d.step()) * d.step();
          }
          out[s][j] = Math.max(d.low(), Math.min(d.high(), x));
        }
      }
    }
    return out;
  }

  /** The mixture's log density (log mass for integers and choices) at each row of {@code xs}. */
  double[] logPdf(double[][] xs) {
    double[] out = new double[xs.length];
    double[] perKernel = new double[weights.length];
    for (int s = 0; s < xs.length; s++) {
      for (int k = 0; k < weights.length; k++) {
        double lp = Math.log(weights[k]);
        for (int j = 0; j < components.length; j++) {
          lp += componentLogPdf(components[j], k, xs[s][j]);
        }
        perKernel[k] = lp;
      }
      out[s] = logSumExp(perKernel);
    }
    return out;
  }

  private static double componentLogPdf(Object component, int k, double x) {
    if (component instanceof Categorical c) {
      return Math.log(c.probs()[k][(int) x]);
    }
    Numerical d = (Numerical) component;
    double mu = d.mus()[k];
    double sigma = d.sigmas()[k];
    if (d.step() == 0) {
      double t = d.log() ? Math.log(x) : x;
      if (t < d.lowT() || t > d.highT()) {
        return Double.NEGATIVE_INFINITY;
      }
      return Gaussian.logPdf((t - mu) / sigma) - d.logNorm()[k] - Math.log(sigma);
    }
    double left = x - d.step() / 2;
    double right = x + d.step() / 2;
    if (d.log()) {
      left = Math.log(left);
      right = Math.log(right);
    }
    return Gaussian.logMass((left - mu) / sigma, (right - mu) / sigma) - d.logNorm()[k];
  }

  private static double logSumExp(double[] v) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      max = Math.max(max, x);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    double sum = 0;
    for (double x : v) {
      sum += Math.exp(x - max);
    }
    return max + Math.log(sum);
  }

  /** The index where the cumulative {@code probs} first exceed {@code u}. */
  private static int pick(double[] probs, double u) {
    double cumulative = 0;
    for (int i = 0; i < probs.length; i++) {
      cumulative += probs[i];
      if (u < cumulative) {
        return i;
      }
    }
    return probs.length - 1;
  }
}
