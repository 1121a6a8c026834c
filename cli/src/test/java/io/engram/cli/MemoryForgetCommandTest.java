package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import io.engram.contract.Users.MemoryForgotten;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code memory forget} against a stand-in API: it asks first (and without a terminal refuses
 * unless {@code --yes}), forgets only on the user id typed back, sends the id as one
 * percent-encoded path segment and prints the rows changed by kind, or that nothing was kept; with
 * {@code --json} the API's answer as it came. The real API's forgetting is in {@code
 * UserMemoryApiIT}.
 */
class MemoryForgetCommandTest {
  private static final String ANN = "/v1/users/ann/memory";

  private static MemoryForgotten forgotten(String user, long sessions, long turns, long queries) {
    Map<String, Long> deleted = new LinkedHashMap<>();
    deleted.put("episodic_facts", 0L);
    deleted.put("turns", turns);
    deleted.put("sessions", sessions);
    return new MemoryForgotten(user, Map.of("query_log", queries), deleted);
  }

  private static FakeApi api() throws Exception {
    return new FakeApi()
        .on("DELETE", ANN, r -> Response.json(200, forgotten("ann", 2, 8, 4)))
        .on(
            "DELETE",
            "/v1/users/nobody/memory",
            r -> Response.json(200, forgotten("nobody", 0, 0, 0)))
        .on(
            "DELETE",
            "/v1/users/team%2Fann%20b/memory",
            r -> Response.json(200, forgotten("team/ann b", 1, 2, 0)));
  }

  /**
   * {@code memory forget ARGS} run against {@code api}, asking the user through {@code terminal}.
   */
  private static CliRunner.Result forget(Terminal terminal, FakeApi api, String... args) {
    List<String> line = new ArrayList<>(List.of("--api", api.url(), "memory", "forget"));
    line.addAll(List.of(args));
    return CliRunner.run(terminal, line.toArray(String[]::new));
  }

  @Test
  void without_a_terminal_and_without_yes_it_refuses_and_forgets_nothing() throws Exception {
    try (FakeApi api = api()) {
      CliRunner.Result result = forget(CliRunner.NO_TERMINAL, api, "--user", "ann");

      assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
      assertThat(result.err()).contains("pass --yes");
      assertThat(api.requests()).isEmpty();
    }
  }

  @Test
  void a_blank_or_missing_user_is_a_usage_error_and_sends_nothing() throws Exception {
    try (FakeApi api = api()) {
      CliRunner.Result blank = forget(CliRunner.NO_TERMINAL, api, "--user", " ", "--yes");
      CliRunner.Result missing = forget(CliRunner.NO_TERMINAL, api, "--yes");

      assertThat(blank.exitCode()).isEqualTo(CliException.USAGE);
      assertThat(blank.err()).contains("--user must name a user");
      assertThat(missing.exitCode()).isEqualTo(CliException.USAGE);
      assertThat(missing.err()).contains("--user");
      assertThat(api.requests()).isEmpty();
    }
  }

  @Test
  void asks_and_forgets_only_when_the_user_id_is_typed_back() throws Exception {
    try (FakeApi api = api()) {
      List<String> asked = new ArrayList<>();
      CliRunner.Result refused = forget(CliRunner.answering("yes", asked), api, "--user", "ann");

      assertThat(refused.exitCode()).isEqualTo(CliException.FAILURE);
      assertThat(refused.err()).contains("not forgotten");
      assertThat(asked)
          .singleElement()
          .asString()
          .contains("Forget user 'ann'")
          .contains("cannot be undone");
      assertThat(api.requests()).isEmpty();

      CliRunner.Result done = forget(CliRunner.answering("ann", asked), api, "--user", "ann");

      assertThat(done.exitCode()).as(done.err()).isZero();
      assertThat(api.requests("DELETE", ANN)).hasSize(1);
      assertThat(done.out()).contains("forgot user 'ann': 10 rows deleted, 4 rows anonymized");
      assertThat(done.out().lines().toList())
          .anySatisfy(l -> assertThat(l).matches("turns\\s+8\\s+deleted"))
          .anySatisfy(l -> assertThat(l).matches("sessions\\s+2\\s+deleted"))
          .anySatisfy(l -> assertThat(l).matches("query_log\\s+4\\s+anonymized"))
          .noneSatisfy(l -> assertThat(l).startsWith("episodic_facts"));
    }
  }

  @Test
  void with_yes_it_does_not_ask_and_sends_the_id_as_one_path_segment() throws Exception {
    try (FakeApi api = api()) {
      List<String> asked = new ArrayList<>();
      CliRunner.Result result =
          forget(CliRunner.answering("no", asked), api, "--user", "team/ann b", "--yes");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(asked).isEmpty();
      assertThat(result.out()).contains("forgot user 'team/ann b': 3 rows deleted");
    }
  }

  @Test
  void a_user_with_nothing_kept_is_said_so_and_json_is_the_apis_answer() throws Exception {
    try (FakeApi api = api()) {
      CliRunner.Result text = forget(CliRunner.NO_TERMINAL, api, "--user", "nobody", "--yes");
      CliRunner.Result json =
          forget(CliRunner.NO_TERMINAL, api, "--user", "ann", "--yes", "--json");

      assertThat(text.exitCode()).isZero();
      assertThat(text.out()).contains("nothing was kept of user 'nobody'");
      assertThat(json.exitCode()).isZero();
      var answer = EngramClient.JSON.readTree(json.out());
      assertThat(answer.path("userId").asText()).isEqualTo("ann");
      assertThat(answer.path("deleted").path("turns").asLong()).isEqualTo(8);
      assertThat(answer.path("anonymized").path("query_log").asLong()).isEqualTo(4);
    }
  }

  @Test
  void a_refusal_of_the_api_is_its_problem_and_a_usage_exit() throws Exception {
    try (FakeApi api =
        new FakeApi()
            .on(
                "DELETE",
                ANN,
                r -> Response.problem(403, "Forbidden", "this key lacks the admin scope"))) {
      CliRunner.Result result = forget(CliRunner.NO_TERMINAL, api, "--user", "ann", "--yes");

      // A 4xx: fixing the input (here, the key) fixes it.
      assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
      assertThat(result.err()).contains("admin scope");
    }
  }
}
