package io.engram.api.problems;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Problem;
import io.engram.testing.JsonLogCapture;
import io.micronaut.http.HttpAttributes;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpRequest;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnexpectedFailureHandlerTest {

  private final UnexpectedFailureHandler handler = new UnexpectedFailureHandler();

  @Test
  void an_unreachable_database_is_a_503_to_retry_not_a_500() {
    var failure =
        new IllegalStateException(
            "SELECT secret FROM chunks",
            new SQLTransientConnectionException("engram-api - Connection is not available"));

    HttpResponse<Problem> response = handler.handle(HttpRequest.POST("/v1/query", "{}"), failure);

    assertThat(response.code()).isEqualTo(503);
    assertThat(response.header(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
    Problem problem = response.body();
    assertThat(problem.status()).isEqualTo(503);
    assertThat(problem.title()).isEqualTo("Service Unavailable");
    assertThat(problem.detail()).contains("database is unavailable").doesNotContain("SELECT");
  }

  /**
   * The log line of a failure names the route, not the path: a path holds ids that are the caller's
   * (a user being forgotten, a session), which must not reach the logs.
   */
  @Test
  void a_failure_is_logged_by_its_route_not_by_the_ids_in_its_path() {
    MutableHttpRequest<?> request = HttpRequest.DELETE("/v1/users/ada.lovelace/memory");
    request.setAttribute(HttpAttributes.URI_TEMPLATE, "/v1/users/{userId}/memory");
    List<String> lines;
    try (JsonLogCapture log = JsonLogCapture.startText()) {
      handler.handle(request, new IllegalStateException("boom"));
      handler.handle(
          request,
          new IllegalStateException(
              "x", new SQLTransientConnectionException("Connection is not available")));
      // No route matched: the first segment of the path alone.
      handler.handle(
          HttpRequest.GET("/v2/users/ada.lovelace"), new IllegalStateException("unrouted"));
      lines = log.lines();
    }
    assertThat(String.join("\n", lines))
        .contains("DELETE /v1/users/{userId}/memory", "GET /v2/… (no route)")
        .doesNotContain("ada.lovelace");
  }

  @Test
  void any_other_failure_stays_a_500_that_quotes_nothing() {
    HttpResponse<Problem> response =
        handler.handle(
            HttpRequest.POST("/v1/query", "{}"), new IllegalStateException("SELECT secret"));

    assertThat(response.code()).isEqualTo(500);
    assertThat(response.body().detail()).doesNotContain("SELECT");
  }
}
