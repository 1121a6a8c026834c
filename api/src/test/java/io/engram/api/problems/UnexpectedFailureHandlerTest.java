package io.engram.api.problems;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Problem;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import java.sql.SQLTransientConnectionException;
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

  @Test
  void any_other_failure_stays_a_500_that_quotes_nothing() {
    HttpResponse<Problem> response =
        handler.handle(
            HttpRequest.POST("/v1/query", "{}"), new IllegalStateException("SELECT secret"));

    assertThat(response.code()).isEqualTo(500);
    assertThat(response.body().detail()).doesNotContain("SELECT");
  }
}
