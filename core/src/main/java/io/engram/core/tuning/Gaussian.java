package io.engram.core.tuning;

import java.util.Random;
import org.apache.commons.math3.special.Erf;

/**
 * The standard normal distribution's log masses and truncated draws, as Optuna's {@code _truncnorm}
 * computes them (log-space tails so that far intervals keep a finite log mass).
 */
final class Gaussian {
  private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
  private static final double SQRT_HALF = Math.sqrt(0.5);

  private Gaussian() {}

  /** The standard normal CDF. */
  static double ndtr(double a) {
    double x = a * SQRT_HALF;
    if (x < -SQRT_HALF) {
      return 0.5 * Erf.erfc(-x);
    }
    if (x < SQRT_HALF) {
      return 0.5 + 0.5 * Erf.erf(x);
    }
    return 1.0 - 0.5 * Erf.erfc(x);
  }

  /** The log of the standard normal CDF, finite down to very negative {@code a}. */
  static double logNdtr(double a) {
    if (a > 6) {
      return -ndtr(-a);
    }
    if (a > -20) {
      return Math.log(ndtr(a));
    }
    // Asymptotic series of log(ndtr(a)) for a << 0 (as Optuna and Cephes).
    double logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
    double lastTotal = 0;
    double rightHandSide = 1;
    double numerator = 1;
    double denomFactor = 1;
    double denomCons = 1 / (a * a);
    int sign = 1;
    int i = 0;
    while (Math.abs(lastTotal - rightHandSide) > Math.ulp(1.0)) {
      i++;
      lastTotal = rightHandSide;
      sign = -sign;
      denomFactor *= denomCons;
      numerator *= 2 * i - 1;
      rightHandSide += sign * numerator * denomFactor;
    }
    return logLhs + Math.log(rightHandSide);
  }

  /** The log of the standard normal's mass on {@code [a, b]}, {@code a < b}. */
  static double logMass(double a, double b) {
    if (b <= 0) {
      return logDiff(logNdtr(b), logNdtr(a));
    }
    if (a > 0) {
      return logDiff(logNdtr(-a), logNdtr(-b));
    }
    return Math.log1p(-ndtr(a) - ndtr(-b));
  }

  /** The standard normal log density. */
  static double logPdf(double x) {
    return -0.5 * x * x - LOG_SQRT_2PI;
  }

  /**
   * A draw of {@code N(mu, sigma)} truncated to {@code [low, high]}, by rejection. Every kernel of
   * the TPE's estimators has its mean inside its bounds and sigma at most their width, so the
   * interval holds at least a third of the mass and a draw takes three tries on average (Optuna
   * inverts the CDF instead, which vectorises; both give the same distribution).
   */
  static double truncated(Random rng, double mu, double sigma, double low, double high) {
    for (int i = 0; i < 1000; i++) {
      double x = mu + sigma * rng.nextGaussian();
      if (x >= low && x <= high) {
        return x;
      }
    }
    // Unreachable in practice (probability below 1e-170): stay inside the bounds regardless.
    return Math.max(low, Math.min(high, mu));
  }

  private static double logDiff(double logP, double logQ) {
    return logP + Math.log1p(-Math.exp(logQ - logP));
  }
}
