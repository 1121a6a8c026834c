package io.engram.api.auth;

import io.engram.core.tenant.Scope;
import io.micronaut.http.HttpMethod;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The scope each endpoint needs, by method and route template, in one table. An endpoint missing
 * from it needs the operator's {@code admin} key: a new endpoint (or a management endpoint a
 * dependency adds) is closed until someone decides who may call it (and {@code ScopePolicyTest}
 * fails until the table names every endpoint of the OpenAPI document). Public endpoints need no key
 * at all: health for probes, the OpenAPI document, and metrics for the scraper unless the
 * installation keys them.
 */
final class ScopePolicy {
  /**
   * Served without a key: probes, the OpenAPI document, and the metrics unless {@code
   * ENGRAM_METRICS_ACCESS=key} (their series name every tenant's collections, so prod keys them;
   * {@code AccessFilter} decides that before this table is asked).
   */
  static final Set<String> PUBLIC =
      Set.of(
          "/health",
          "/health/{selector}",
          "/health/liveness",
          "/health/readiness",
          "/prometheus",
          "/openapi.yml");

  private static final Map<String, Scope> RULES =
      Map.ofEntries(
          // Asking and conversing, and reading what the tenant's models are.
          rule("POST /v1/query", Scope.QUERY),
          rule("POST /v1/sessions", Scope.QUERY),
          rule("GET /v1/sessions/{sessionId}/turns", Scope.QUERY),
          rule("POST /v1/feedback", Scope.QUERY),
          rule("GET /v1/models", Scope.QUERY),
          rule("GET /v1/models/{collection}/versions/{version}", Scope.QUERY),
          rule("GET /v1/models/{collection}/aliases", Scope.QUERY),
          rule("GET /v1/models/{collection}/events", Scope.QUERY),
          rule("GET /v1/drift/reports", Scope.QUERY),
          rule("GET /v1/rollouts", Scope.QUERY),
          rule("GET /v1/rollouts/{id}", Scope.QUERY),
          rule("GET /v1/collections", Scope.QUERY),
          // Changing what the tenant's collections hold, and measuring them.
          rule("POST /v1/blobs/missing", Scope.INGEST),
          rule("PUT /v1/blobs/{sha256}", Scope.INGEST),
          rule("POST /v1/ingestions", Scope.INGEST),
          rule("GET /v1/collections/{collection}/documents", Scope.INGEST),
          rule("GET /v1/collections/{collection}/documents/{id}", Scope.INGEST),
          rule("DELETE /v1/collections/{collection}/documents/{id}", Scope.INGEST),
          rule("GET /v1/collections/{collection}", Scope.QUERY),
          // It takes the collection's model versions, rollouts and users' memory with it, as only
          // an admin may change them one by one; and whoever may start a deletion must be able to
          // follow it, so its report is the admin's too.
          rule("DELETE /v1/collections/{collection}", Scope.ADMIN),
          rule("GET /v1/collections/{collection}/deletion", Scope.ADMIN),
          rule("GET /v1/ingestions/{workflowId}", Scope.INGEST),
          rule("POST /v1/evaluations", Scope.INGEST),
          rule("GET /v1/evaluations/{workflowId}", Scope.INGEST),
          rule("POST /v1/drift/checks", Scope.INGEST),
          rule("POST /v1/retrainings", Scope.INGEST),
          rule("GET /v1/retrainings/{workflowId}", Scope.INGEST),
          rule("GET /v1/studies/{id}", Scope.INGEST),
          rule("GET /v1/studies/{id}/chart.svg", Scope.INGEST),
          // Changing what serves, keys, and the installation's operator endpoints.
          rule("POST /v1/models/{collection}/aliases", Scope.ADMIN),
          rule("POST /v1/models/{collection}/versions/{version}:archive", Scope.ADMIN),
          rule("PUT /v1/models/{collection}/versions/{version}/tags", Scope.ADMIN),
          rule("POST /v1/keys", Scope.ADMIN),
          rule("GET /v1/keys", Scope.ADMIN),
          rule("POST /v1/keys/{id}:revoke", Scope.ADMIN),
          // A user's right to be forgotten: everything the tenant keeps of one of its users.
          rule("DELETE /v1/users/{userId}/memory", Scope.ADMIN),
          rule("GET /v1/memory/stats", Scope.ADMIN),
          rule("POST /v1/memory/promotions", Scope.ADMIN),
          rule("GET /v1/schedules", Scope.ADMIN),
          rule("POST /v1/rollouts", Scope.ADMIN),
          rule("POST /v1/rollouts/{id}:approve", Scope.ADMIN),
          rule("POST /v1/rollouts/{id}:abort", Scope.ADMIN),
          rule("POST /v1/rollouts/{id}:pause", Scope.ADMIN),
          rule("POST /v1/rollouts/{id}:resume", Scope.ADMIN),
          rule("POST /v1/rollouts/{id}:undo", Scope.ADMIN),
          rule("GET /v1/faults", Scope.ADMIN),
          rule("PUT /v1/faults", Scope.ADMIN));

  /**
   * Routes that span every tenant (the namespace's schedules, memory jobs and counts over all
   * tenants): besides their scope they need an operator, an admin key of the default tenant ({@link
   * Caller#operator}).
   */
  static final Set<String> OPERATOR =
      Set.of(
          "GET /v1/memory/stats",
          "POST /v1/memory/promotions",
          "GET /v1/schedules",
          // A fault switch slows a model version in this API process, whoever's it is.
          "GET /v1/faults",
          "PUT /v1/faults");

  private ScopePolicy() {}

  /**
   * Whether the route is for the installation's operator only: one that spans every tenant, or one
   * the table does not name.
   */
  static boolean operatorOnly(HttpMethod method, String template) {
    return OPERATOR.contains(method.name() + " " + template) || named(method, template).isEmpty();
  }

  /** Every route the table names, as {@code METHOD /template}. */
  static Set<String> routes() {
    return RULES.keySet();
  }

  private static Map.Entry<String, Scope> rule(String route, Scope scope) {
    return Map.entry(route, scope);
  }

  static boolean isPublic(String template) {
    return PUBLIC.contains(template);
  }

  /** The scope the route needs; {@code admin} for a route the table does not name. */
  static Scope required(HttpMethod method, String template) {
    return named(method, template).orElse(Scope.ADMIN);
  }

  /** The scope the table names for the route, if it names one. */
  static Optional<Scope> named(HttpMethod method, String template) {
    return Optional.ofNullable(RULES.get(method.name() + " " + template));
  }
}
