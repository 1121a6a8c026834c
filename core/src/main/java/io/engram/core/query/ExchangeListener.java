package io.engram.core.query;

import java.util.UUID;

/**
 * Told after the query path appended an exchange to a session's working memory. The API signals the
 * session's distillation workflow from it; it must not block or throw.
 */
@FunctionalInterface
public interface ExchangeListener {
  ExchangeListener NONE = sessionId -> {};

  void exchangeAppended(UUID sessionId);
}
