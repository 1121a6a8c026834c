package io.engram.core.tuning;

import io.engram.core.tuning.SearchSpace.CategoricalParam;
import io.engram.core.tuning.SearchSpace.FloatParam;
import io.engram.core.tuning.SearchSpace.IntParam;
import io.engram.core.tuning.SearchSpace.Param;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random search: every parameter drawn independently and uniformly (in its logarithm on a log
 * scale), the history ignored. The baseline {@link TpeSampler} must beat, and its start-up sampler.
 *
 * <p>The draws come from {@link java.util.Random}, whose algorithm its specification fixes, so a
 * seed gives the same parameters on every JVM.
 */
public final class RandomSampler implements Sampler {
  public static final String NAME = "random";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Params sample(SearchSpace space, Direction direction, List<Trial> history, long seed) {
    return draw(space.params(), Sampler.random(seed));
  }

  static Params draw(List<Param> params, Random rng) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Param p : params) {
      values.put(p.name(), draw(p, rng));
    }
    return new Params(values);
  }

  static Object draw(Param param, Random rng) {
    if (param instanceof FloatParam f) {
      if (!f.log()) {
        return Math.min(f.high(), f.low() + (f.high() - f.low()) * rng.nextDouble());
      }
      double lo = Math.log(f.low());
      double v = Math.exp(lo + (Math.log(f.high()) - lo) * rng.nextDouble());
      return Math.max(f.low(), Math.min(f.high(), v));
    }
    if (param instanceof IntParam i) {
      if (!i.log()) {
        return i.low() + rng.nextInt(i.size()) * i.step();
      }
      // As Optuna: uniform in log over [low - 1/2, high + 1/2], rounded to the nearest integer.
      double lo = Math.log(i.low() - 0.5);
      double v = Math.exp(lo + (Math.log(i.high() + 0.5) - lo) * rng.nextDouble());
      return (int) Math.max(i.low(), Math.min(i.high(), Math.round(v)));
    }
    CategoricalParam c = (CategoricalParam) param;
    return c.choices().get(rng.nextInt(c.choices().size()));
  }
}
