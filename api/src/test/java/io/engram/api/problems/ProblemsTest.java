package io.engram.api.problems;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Problem;
import org.junit.jupiter.api.Test;

/** The problems keep the type, status and title clients read, the title from the status. */
class ProblemsTest {

  @Test
  void each_factory_keeps_its_type_status_and_the_status_reason_as_title() {
    assertThat(Problems.badRequest("d").problem())
        .extracting(Problem::type, Problem::status, Problem::title, Problem::detail)
        .containsExactly(Problems.BASE + "bad-request", 400, "Bad Request", "d");
    assertThat(Problems.notFound("rollout", "d").problem())
        .extracting(Problem::type, Problem::status, Problem::title)
        .containsExactly(Problems.BASE + "rollout-not-found", 404, "Not Found");
    assertThat(Problems.approvalRequired("d").problem())
        .extracting(Problem::type, Problem::status, Problem::title)
        .containsExactly(Problems.BASE + "approval-required", 403, "Forbidden");
    assertThat(Problems.tooLarge("d").problem())
        .extracting(Problem::status, Problem::title)
        .containsExactly(413, "Request Entity Too Large");
    assertThat(Problems.rateLimited("d").problem())
        .extracting(Problem::status, Problem::title)
        .containsExactly(429, "Too Many Requests");
    assertThat(Problems.unavailable("d").problem())
        .extracting(Problem::status, Problem::title)
        .containsExactly(503, "Service Unavailable");
  }
}
