package io.engram.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.engram.core.tenant.Scope;
import io.micronaut.http.HttpMethod;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scope table names every endpoint the API serves, so none is admin-only by omission. */
class ScopePolicyTest {

  /** Every route of the OpenAPI document the build generated, as {@code METHOD /template}. */
  private static Set<String> documentedRoutes() throws Exception {
    JsonNode document;
    try (InputStream in =
        ScopePolicyTest.class
            .getClassLoader()
            .getResourceAsStream("META-INF/swagger/openapi.yml")) {
      assertThat(in).as("the generated OpenAPI document").isNotNull();
      document = new YAMLMapper().readTree(in);
    }
    Set<String> routes = new LinkedHashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fieldNames()
          .forEachRemaining(m -> routes.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey()));
    }
    return routes;
  }

  @Test
  void every_documented_endpoint_has_a_scope_in_the_table() throws Exception {
    Set<String> routes = documentedRoutes();
    assertThat(routes).hasSizeGreaterThan(20);
    assertThat(ScopePolicy.routes()).containsAll(routes);
  }

  @Test
  void operator_endpoints_are_admin_and_unknown_routes_need_admin() {
    for (String route : ScopePolicy.OPERATOR) {
      String[] parts = route.split(" ", 2);
      assertThat(ScopePolicy.required(HttpMethod.valueOf(parts[0]), parts[1]))
          .as(route)
          .isEqualTo(Scope.ADMIN);
      assertThat(ScopePolicy.operatorOnly(HttpMethod.valueOf(parts[0]), parts[1])).isTrue();
    }
    assertThat(ScopePolicy.required(HttpMethod.DELETE, "/v1/anything")).isEqualTo(Scope.ADMIN);
    assertThat(ScopePolicy.required(HttpMethod.POST, "/v1/query")).isEqualTo(Scope.QUERY);
    assertThat(ScopePolicy.required(HttpMethod.PUT, "/v1/blobs/{sha256}")).isEqualTo(Scope.INGEST);
    // Removing one document is ingestion's; deleting a whole collection, with its model versions,
    // rollouts and users' memory, is an admin's.
    assertThat(
            ScopePolicy.required(HttpMethod.DELETE, "/v1/collections/{collection}/documents/{id}"))
        .isEqualTo(Scope.INGEST);
    assertThat(ScopePolicy.required(HttpMethod.DELETE, "/v1/collections/{collection}"))
        .isEqualTo(Scope.ADMIN);
    assertThat(ScopePolicy.operatorOnly(HttpMethod.DELETE, "/v1/collections/{collection}"))
        .isFalse();
    assertThat(ScopePolicy.operatorOnly(HttpMethod.GET, "/v1/collections/{collection}/deletion"))
        .isFalse();
    assertThat(ScopePolicy.operatorOnly(HttpMethod.GET, "/v1/keys")).isFalse();
    // A route the table does not name (a management endpoint a dependency adds) is the
    // operator's.
    assertThat(ScopePolicy.operatorOnly(HttpMethod.GET, "/threaddump")).isTrue();
  }

  @Test
  void the_key_that_may_start_a_collection_deletion_may_follow_it() {
    assertThat(ScopePolicy.required(HttpMethod.GET, "/v1/collections/{collection}/deletion"))
        .isEqualTo(ScopePolicy.required(HttpMethod.DELETE, "/v1/collections/{collection}"));
  }

  @Test
  void public_endpoints_are_health_metrics_and_the_document_only() {
    assertThat(ScopePolicy.PUBLIC)
        .allSatisfy(
            p ->
                assertThat(
                        p.startsWith("/health")
                            || p.equals("/prometheus")
                            || p.equals("/openapi.yml"))
                    .as(p)
                    .isTrue());
  }
}
