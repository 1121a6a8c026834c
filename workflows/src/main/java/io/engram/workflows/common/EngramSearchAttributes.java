package io.engram.workflows.common;

import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;

/**
 * Custom search attributes that let operators filter runs in the Temporal UI. They must be
 * registered on the server ({@code ./engram up} does it): setting an unregistered attribute fails
 * the workflow task forever.
 */
public final class EngramSearchAttributes {
  public static final SearchAttributeKey<String> COLLECTION =
      SearchAttributeKey.forKeyword("EngramCollection");
  public static final SearchAttributeKey<String> SOURCE =
      SearchAttributeKey.forKeyword("EngramSource");

  /**
   * What kind of job a run is: {@code distillation}, {@code promotion}, {@code salience}, {@code
   * ttl-cleanup}, {@code session-cleanup} or {@code incremental-ingest}.
   */
  public static final SearchAttributeKey<String> JOB_TYPE =
      SearchAttributeKey.forKeyword("EngramJobType");

  /** The conversation session a distillation run works on. */
  public static final SearchAttributeKey<String> SESSION =
      SearchAttributeKey.forKeyword("EngramSession");

  /**
   * The batch a scheduled job run covers: the UTC minute it started for, e.g. {@code
   * 2026-11-22T03:00Z}, so every job of one slot is found together.
   */
  public static final SearchAttributeKey<String> BATCH =
      SearchAttributeKey.forKeyword("EngramBatch");

  /**
   * Why a retraining ran or did not: {@code force}, {@code data_changed}, {@code drift}, {@code
   * model_still_valid}, … (see {@code RetrainingResult}).
   */
  public static final SearchAttributeKey<String> RETRAIN_REASON =
      SearchAttributeKey.forKeyword("EngramRetrainReason");

  /**
   * Where a rollout stands: {@code shadow}, {@code canary}, {@code awaiting_approval}, then its
   * decision ({@code promoted}, {@code rolled_back}, {@code kept}) or {@code refused}.
   */
  public static final SearchAttributeKey<String> ROLLOUT_PHASE =
      SearchAttributeKey.forKeyword("EngramRolloutPhase");

  /** The version serving when a rollout started, as {@code v<N>}. */
  public static final SearchAttributeKey<String> CHAMPION_VERSION =
      SearchAttributeKey.forKeyword("EngramChampionVersion");

  /** The version a rollout rolls out, as {@code v<N>}. */
  public static final SearchAttributeKey<String> CANDIDATE_VERSION =
      SearchAttributeKey.forKeyword("EngramCandidateVersion");

  /** Every custom attribute with its type, for servers and test environments to register. */
  public static final java.util.Map<String, io.temporal.api.enums.v1.IndexedValueType> ALL =
      java.util.Map.of(
          "EngramCollection",
          io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          "EngramSource",
          io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          "EngramJobType",
          io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          "EngramSession",
          io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          "EngramBatch",
          io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          "EngramRetrainReason",
          io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          "EngramRolloutPhase",
          io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          "EngramChampionVersion",
          io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          "EngramCandidateVersion",
          io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);

  /** The attributes of a run about one collection and nothing else. */
  public static SearchAttributes ofCollection(String collection) {
    return SearchAttributes.newBuilder().set(COLLECTION, collection).build();
  }

  private EngramSearchAttributes() {}
}
