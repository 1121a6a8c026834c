package io.engram.core.tenant;

import io.engram.core.config.AccessSettings;
import java.util.function.Predicate;

/**
 * Who may read a process's Prometheus metrics, whose series name every tenant's collections ({@code
 * ENGRAM_METRICS_ACCESS}): anyone who reaches the port, or, keyed, whoever presents the scraper's
 * token ({@code ENGRAM_METRICS_TOKEN}) or an active admin key of tenant {@code default} as a bearer
 * token. The workers' rule; the API applies the same one in its access filter.
 */
public final class MetricsReaders {

  private MetricsReaders() {}

  /**
   * Whether a request presenting {@code bearer} (null for none) may read the metrics.
   *
   * @param keys where an admin key is looked up, only when the token does not match
   */
  public static Predicate<String> of(AccessSettings.Metrics metrics, ApiKeys keys) {
    if (!metrics.keyed()) {
      return bearer -> true;
    }
    return bearer ->
        bearer != null
            && (metrics.isToken(bearer)
                || keys.authenticate(bearer)
                    .filter(
                        k -> k.tenant().equals(Tenant.DEFAULT) && k.scopes().contains(Scope.ADMIN))
                    .isPresent());
  }
}
