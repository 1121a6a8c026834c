package io.engram.core.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.rollout.RolloutObservations.ArmStats;
import io.engram.core.rollout.RolloutObservations.Clicks;
import io.engram.core.rollout.RolloutObservations.Comparisons;
import java.util.Map;

/**
 * What one check of a running rollout found: the verdict and every figure it rests on. Stored as
 * the rollout's {@code last_check} for status readers.
 *
 * @param verdict what the judge says (see {@link RolloutJudge.Kind})
 * @param reason the judge's reason, in words
 * @param phase the phase it was checked in
 * @param step the canary step, from 1; 0 outside the canary
 * @param window per arm, the figures of the current phase (or step)
 * @param total per arm, the figures of the whole rollout
 * @param comparisons the interleaved comparisons so far
 * @param test the sequential test over them
 * @param clicks per served arm, clicks and answer ratings so far
 * @param exposure the share of the rollout's queries the candidate answered (an interleaved answer
 *     counts half: team draft gives each version about half its places)
 */
public record RolloutCheck(
    RolloutJudge.Kind verdict,
    String reason,
    String phase,
    int step,
    Map<String, ArmStats> window,
    Map<String, ArmStats> total,
    Comparisons comparisons,
    SequentialTest.Result test,
    Map<String, Clicks> clicks,
    double exposure) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The check as stored. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot store a rollout check", e);
    }
  }

  /**
   * The share of queries the candidate answered, from the whole rollout's figures: its own arm's
   * answers and half of the interleaved ones, over every routed query (shadow comparisons are not
   * answers).
   */
  static double exposure(Map<String, ArmStats> total) {
    ArmStats champion = total.get(Arm.CHAMPION);
    ArmStats candidate = total.get(Arm.CANDIDATE);
    ArmStats interleaved = total.get(Arm.INTERLEAVED);
    long all = champion.queries() + candidate.queries() + interleaved.queries();
    if (all == 0) {
      return 0;
    }
    double answered =
        (candidate.queries() - candidate.errors())
            + 0.5 * (interleaved.queries() - interleaved.errors());
    return answered / all;
  }
}
