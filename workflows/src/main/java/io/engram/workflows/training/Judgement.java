package io.engram.workflows.training;

import java.util.List;

/**
 * The gates' verdict on a candidate.
 *
 * @param outcome {@code staged} or {@code rejected}
 * @param gates each gate with its verdict
 * @param rollout whether the staged candidate's rollout starts by itself (the profile's {@code
 *     ENGRAM_ROLLOUT_AUTO_START}); false when it is rejected, and in histories recorded before the
 *     field existed
 */
public record Judgement(String outcome, List<RetrainingResult.Gate> gates, boolean rollout) {}
