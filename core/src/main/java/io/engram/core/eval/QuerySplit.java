package io.engram.core.eval;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

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
