package io.engram.core.tuning;

import java.util.Comparator;
import java.util.Locale;

/** Whether a study looks for the smallest or the largest objective value. */
public enum Direction {
  MINIMIZE,
  MAXIMIZE;

  /** Whether {@code a} is strictly better than {@code b}. */
  public boolean better(double a, double b) {
    return this == MAXIMIZE ? a > b : a < b;
  }

  /** Orders values best first. */
  public Comparator<Double> bestFirst() {
    return this == MAXIMIZE ? Comparator.reverseOrder() : Comparator.naturalOrder();
  }

  /** The name stored with a study: {@code minimize} or {@code maximize}. */
  public String stored() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Direction fromStored(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
