package io.engram.core.memory;

import java.util.Locale;

/** What a distilled fact is about. */
public enum FactKind {
  /** Who the user is: name, employer, occupation, home. One value per subject at a time. */
  WHO,
  /** Something true about the user that may hold alongside others: an allergy, a tool they use. */
  WHAT,
  /** A like, dislike or choice. One value per subject at a time. */
  PREFERENCE,
  /** A decision the user has taken. One value per subject at a time. */
  DECISION;

  /** The name stored in the database and used in JSON. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static FactKind fromWire(String value) {
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "fact kind must be one of who, what, preference, decision; got '" + value + "'");
    }
  }

  /**
   * Whether a newer fact about the same subject replaces an older one: a user has one name and one
   * preferred drink at a time, but may be allergic to several things.
   */
  public boolean exclusive() {
    return this != WHAT;
  }
}
