package io.engram.core.evaluation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which evaluated queries the advisory answer tier generates answers for. Generation is slow (up to
 * half a minute per answer with a small local model on two cores), so only {@code n} queries are
 * answered, chosen by a salted SHA-256 of the query id like {@link QuerySplit}: the sample depends
 * only on the ids, so a repeated run answers the same queries, and a larger sample of the same set
 * contains the smaller one.
 */
public final class AnswerSample {
  private static final String SALT = "engram-answers-v1:";

  private AnswerSample() {}

  /**
   * The {@code n} ids of {@code queryIds} with the lowest salted hash, in that order; all of them
   * when there are fewer. Duplicates count once.
   */
  public static List<String> select(List<String> queryIds, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("sample size must not be negative, got " + n);
    }
    return new LinkedHashSet<>(queryIds)
        .stream()
            .sorted(Comparator.comparing(AnswerSample::rank).thenComparing(id -> id))
            .limit(n)
            .toList();
  }

  /** The id's position key: the hex SHA-256 of the salted id. */
  static String rank(String queryId) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest((SALT + queryId).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
