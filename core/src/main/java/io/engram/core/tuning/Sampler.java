package io.engram.core.tuning;

import java.util.List;
import java.util.Random;

/**
 * Chooses a new trial's parameters. A sampler is a pure function: the same space, direction,
 * history and seed give the same parameters, whichever process asks (a retried activity on another
 * worker included).
 */
public interface Sampler {

  /** The name stored with a study: {@code random} or {@code tpe}. */
  String name();

  /**
   * Parameters for a new trial.
   *
   * @param history the study's other trials, in any state (running ones included: a sampler may
   *     take them into account, see {@link TpeSampler})
   * @param seed the new trial's seed, see {@link #trialSeed}
   */
  Params sample(SearchSpace space, Direction direction, List<Trial> history, long seed);

  /**
   * The seed of trial {@code number} of a study seeded with {@code studySeed}: SplitMix64's
   * finalizer over both, so neighbouring trials and neighbouring studies get unrelated streams.
   */
  static long trialSeed(long studySeed, int number) {
    return mix(studySeed + 0x9E3779B97F4A7C15L * (number + 1L));
  }

  /**
   * The random source a sampler draws from for {@code seed}: {@link Random}, whose algorithm its
   * specification fixes (so a seed gives the same draws on every JVM), seeded through SplitMix64's
   * finalizer, since {@link Random}'s first draws for neighbouring seeds are nearly equal.
   */
  static Random random(long seed) {
    return new Random(mix(seed));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
