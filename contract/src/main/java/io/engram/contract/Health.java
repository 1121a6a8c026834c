package io.engram.contract;

import java.util.Map;

/**
 * {@code GET /health}: the API's liveness and its components ({@code db}, {@code temporal}); 503
 * with the same body when something is down.
 *
 * @param status {@code UP} or {@code DOWN}
 * @param details each component's report, by name
 */
public record Health(String status, Map<String, Component> details) {

  public Health {
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  /**
   * One component.
   *
   * @param details what it reports, e.g. {@code error} when it is down
   */
  public record Component(String status, Map<String, Object> details) {}
}
