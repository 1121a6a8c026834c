package io.engram.core.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * The environment a process runs in ({@code ENGRAM_PROFILE}); it selects the defaults that differ
 * between a laptop, a test installation and production (see {@code defaults.properties}).
 */
public enum Profile {
  /** A developer's machine: the documented defaults. */
  DEV,
  /** A test installation: the memory lifecycle compressed into hours. */
  TEST,
  /** Production: migrations as a deliberate step, longer memory, every interface. */
  PROD;

  /** The configured spelling: {@code dev}, {@code test}, {@code prod}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code dev}, {@code test} or {@code prod}, case-insensitively.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Profile parse(String value) {
    String v = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
    for (Profile p : values()) {
      if (p.name().equals(v)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        SettingsSource.PROFILE
            + " must be one of "
            + Arrays.stream(values()).map(Profile::value).toList()
            + ", got '"
            + value
            + "'");
  }
}
