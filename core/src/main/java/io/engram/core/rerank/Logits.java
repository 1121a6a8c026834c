package io.engram.core.rerank;

import io.engram.core.retrieval.Candidate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** How the rerankers turn their models' logits into an order and scores. */
final class Logits {
  private Logits() {}

  /**
   * The candidates by descending logit, each carrying the logistic of its logit as its score (a
   * probability of relevance). The sort is stable: equal logits keep the fusion order.
   *
   * @param logits one per candidate, in the candidates' order
   */
  static List<Candidate> order(List<Candidate> candidates, double[] logits) {
    if (logits.length != candidates.size()) {
      throw new IllegalArgumentException(
          logits.length + " logits for " + candidates.size() + " candidates");
    }
    Integer[] order = new Integer[logits.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(logits[b], logits[a]));
    List<Candidate> out = new ArrayList<>(order.length);
    for (int i : order) {
      out.add(candidates.get(i).withScore(1 / (1 + Math.exp(-logits[i]))));
    }
    return out;
  }
}
