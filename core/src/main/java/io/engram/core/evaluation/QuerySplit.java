package io.engram.core.evaluation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The fixed partition of a qrels split into a fitting part and a held-out part. Anything learned
 * from a split (the reranker's weights, fusion settings) is fitted on {@link Part#FIT} only and
 * reported on {@link Part#HELD_OUT}; the partition depends only on the query id, so it is the same
 * on every machine and for every run.
 */
public final class QuerySplit {
  /** Share of queries held out, in percent. */
  public static final int HELD_OUT_PERCENT = 20;

  private static final String SALT = "engram-heldout-v1:";

  /** Which part of the split to use. */
  public enum Part {
    ALL,
    FIT,
    HELD_OUT;

    public boolean contains(String queryId) {
      return switch (this) {
        case ALL -> true;
        case FIT -> !isHeldOut(queryId);
        case HELD_OUT -> isHeldOut(queryId);
      };
    }

    /**
     * The name used on the wire and in {@code eval_runs}: {@code all}, {@code fit}, {@code
     * held-out}.
     */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The part with this wire name.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Part fromWireName(String name) {
      for (Part part : values()) {
        if (part.wireName().equals(name)) {
          return part;
        }
      }
      throw new IllegalArgumentException("part '" + name + "' is not one of all, fit, held-out");
    }
  }

  private QuerySplit() {}

  /** Whether {@code queryId} belongs to the held-out part (about 20 % of ids). */
  public static boolean isHeldOut(String queryId) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((SALT + queryId).getBytes(StandardCharsets.UTF_8));
      int bucket = ((digest[0] & 0xff) << 8 | (digest[1] & 0xff)) % 100;
      return bucket < HELD_OUT_PERCENT;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
