package io.engram.workflows.training;

import java.util.List;

/**
 * The gates' verdict on a candidate.
 *
 * @param outcome {@code staged} or {@code rejected}
 * @param gates each gate with its verdict
 */
public record Judgement(String outcome, List<RetrainingResult.Gate> gates) {}
