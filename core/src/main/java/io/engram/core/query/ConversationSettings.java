package io.engram.core.query;

/**
 * How the query path uses a conversation's memory.
 *
 * @param workingTurns how many recent turns of a session are read as working memory
 * @param distillEveryTurns distillation of a session is signalled after every this many exchanges
 *     (0: never)
 * @param recallTopK remembered facts added to an answer's sources at most (0: no recall)
 * @param recallMinSimilarity facts less similar to the question are not recalled; null for the
 *     embedding model's default
 */
public record ConversationSettings(
    int workingTurns, int distillEveryTurns, int recallTopK, Double recallMinSimilarity) {
  public ConversationSettings {
    if (workingTurns < 0 || distillEveryTurns < 0 || recallTopK < 0) {
      throw new IllegalArgumentException("conversation settings must not be negative");
    }
  }
}
