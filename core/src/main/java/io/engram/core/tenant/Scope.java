package io.engram.core.tenant;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an API key may do. {@code query} asks and converses (queries, sessions, feedback) and reads
 * the tenant's models and drift reports; {@code ingest} changes what the tenant's collections hold
 * and measures them (uploads, ingestions, evaluations, drift checks); {@code admin} manages keys,
 * moves model aliases and runs the installation's operator endpoints (schedules, memory jobs).
 * Scopes do not imply each other: a key gets the ones it is given.
 */
public enum Scope {
  QUERY,
  INGEST,
  ADMIN;

  /** The spelling on the wire and in the database: {@code query}, {@code ingest}, {@code admin}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code query}, {@code ingest} or {@code admin}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Scope parse(String value) {
    for (Scope s : values()) {
      if (s.wireName().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scope '" + value + "'; use " + String.join(", ", wireNames()));
  }

  /** Parses a list of scopes; an empty list is refused, because such a key could do nothing. */
  public static Set<Scope> parseAll(Iterable<String> values) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String v : values) {
      scopes.add(parse(v.strip()));
    }
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException(
          "name at least one scope: " + String.join(", ", wireNames()));
    }
    return scopes;
  }

  /** Every scope's wire name, in order. */
  public static Set<String> wireNames() {
    return Arrays.stream(values())
        .map(Scope::wireName)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
