package io.engram.contract;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v1/users/{userId}}: what Engram keeps of one user of the caller's tenant. */
public final class Users {
  private Users() {}

  /**
   * What forgetting a user ({@code DELETE /v1/users/{userId}/memory}) changed; all zeros when
   * nothing was left of the user, as on a second call.
   *
   * @param anonymized rows kept without the user's words or session link, by table: {@code
   *     feedback} (comments dropped), {@code query_log} (question text and session dropped)
   * @param deleted rows deleted, by table, in the order they go: {@code rollout_assignments},
   *     {@code fact_citations}, {@code episodic_facts}, {@code semantic_facts}, {@code
   *     distillation_batches}, {@code distillation_state}, {@code turns}, {@code sessions}
   */
  public record MemoryForgotten(
      String userId, Map<String, Long> anonymized, Map<String, Long> deleted) {
    public MemoryForgotten {
      anonymized =
          anonymized == null
              ? Map.of()
              : Collections.unmodifiableMap(new LinkedHashMap<>(anonymized));
      deleted =
          deleted == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(deleted));
    }
  }
}
