package io.engram.core.query;

import io.engram.core.memory.Intent;
import java.util.UUID;

/**
 * Told after the query path appended an exchange to a session's working memory. The API signals the
 * session's distillation workflow from it; it must not block or throw.
 */
@FunctionalInterface
public interface ExchangeListener {
  ExchangeListener NONE = (sessionId, intent) -> {};

  /**
   * @param intent what the user's turn was classified as; a {@link Intent#MEMORY_STATEMENT} told
   *     something to remember
   */
  void exchangeAppended(UUID sessionId, Intent intent);
}
