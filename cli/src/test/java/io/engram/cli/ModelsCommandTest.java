package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.FakeApi.Response;
import io.engram.contract.Models;
import io.engram.contract.Models.Bundle;
import io.engram.contract.Models.Retrieval;
import io.engram.contract.Models.VersionList;
import io.engram.contract.Models.VersionView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code models} against a stand-in API: the table, the deltas, usage errors and refusals. */
class ModelsCommandTest {

  static VersionView version(
      int n, List<String> aliases, String mode, Map<String, Map<String, Object>> metrics) {
    return new VersionView(
        "notes",
        n,
        "notes/v" + n,
        aliases,
        "registered",
        metrics,
        new Bundle(
            new Retrieval(mode, 0.5, 100, 0.2, true),
            new Models.Reranker("linear", "ab".repeat(32), null, null),
            "extractive"),
        new Models.IndexVersion("all-minilm-l6-v2-q-c512-o64", "all-minilm-l6-v2-q", 384, 512, 64),
        List.of(),
        Map.of("fingerprint", "f" + n),
        List.of(),
        Map.of(),
        "test",
        "version " + n,
        "2026-12-05T22:54:02.123Z");
  }

  @ParameterizedTest
  @ValueSource(strings = {"list", "show", "diff", "promote", "archive"})
  void every_subcommand_has_help_that_mentions_json_and_the_collection(String subcommand) {
    CliRunner.Result result = CliRunner.run("models", subcommand, "--help");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("Usage: engram models " + subcommand)
        .contains("--json", "--collection=NAME", "--help");
  }

  @Test
  void list_prints_a_table_with_the_primary_eval_sets_ndcg() throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/v1/models",
          r ->
              Response.json(
                  200,
                  new VersionList(
                      "notes",
                      List.of(
                          version(
                              2,
                              List.of("champion"),
                              "dense",
                              Map.of(
                                  "notes/test/all", Map.of("ndcgAt10", 0.5),
                                  "notes/train/held-out", Map.of("ndcgAt10", 0.71234))),
                          version(1, List.of("previous"), "hybrid", Map.of())))));

      CliRunner.Result table =
          CliRunner.run("--api", api.url(), "models", "list", "--collection", "notes");
      CliRunner.Result json =
          CliRunner.run("--api", api.url(), "models", "list", "--collection", "notes", "--json");

      assertThat(table.exitCode()).as(table.err()).isZero();
      assertThat(table.out())
          .startsWith("VERSION  ALIASES   STATUS      NDCG@10  CREATED (UTC)     REASON\n")
          .contains("v2       champion  registered  0.7123   2026-12-05 22:54  version 2\n")
          .contains("v1       previous  registered  -        2026-12-05 22:54  version 1\n")
          .endsWith("NDCG@10 on eval set notes/train/held-out\n");
      JsonNode printed = EngramClient.JSON.readTree(json.out());
      assertThat(printed.isArray()).isTrue();
      assertThat(printed.get(0).path("version").asInt()).isEqualTo(2);
      assertThat(printed.get(0).path("aliases").get(0).asText()).isEqualTo("champion");
      assertThat(printed.get(1).path("metrics").isObject()).isTrue();
    }
  }

  @Test
  void diff_lists_the_fields_that_differ_and_each_metrics_delta() throws Exception {
    VersionView a =
        version(
            1, List.of(), "hybrid", Map.of("s/held-out", Map.of("ndcgAt10", 0.7, "evalRunId", 4)));
    VersionView b =
        version(
            2,
            List.of(),
            "dense",
            Map.of("s/held-out", Map.of("ndcgAt10", 0.75), "s/test", Map.of("ndcgAt10", 0.6)));
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/v1/models/notes/versions/1", r -> Response.json(200, a));
      api.on("GET", "/v1/models/notes/versions/2", r -> Response.json(200, b));

      CliRunner.Result text =
          CliRunner.run("--api", api.url(), "models", "diff", "--collection", "notes", "1", "v2");
      CliRunner.Result json =
          CliRunner.run(
              "--api",
              api.url(),
              "models",
              "diff",
              "--collection",
              "notes",
              "--version",
              "1",
              "--version",
              "2",
              "--json");

      assertThat(text.exitCode()).as(text.err()).isZero();
      assertThat(text.out())
          .startsWith("notes: v1 -> v2\n")
          .containsPattern("(?m)^retrieval\\.mode +hybrid +dense$")
          .containsPattern("(?m)^  ndcgAt10 +0\\.7000 +0\\.7500 +\\+0\\.0500$")
          .containsPattern("(?m)^  ndcgAt10 +- +0\\.6000 +-$")
          .doesNotContain("evalRunId", "denseWeight");
      JsonNode delta = EngramClient.JSON.readTree(json.out());
      assertThat(delta.path("config")).hasSize(1);
      assertThat(delta.path("config").get(0).path("field").asText()).isEqualTo("retrieval.mode");
      assertThat(delta.path("metrics").path("s/held-out").path("ndcgAt10").path("delta").asDouble())
          .isCloseTo(0.05, org.assertj.core.api.Assertions.within(1e-9));
    }
  }

  @Test
  void diff_needs_two_versions() {
    CliRunner.Result result =
        CliRunner.run("--api", "http://127.0.0.1:9", "models", "diff", "--collection", "c", "1");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("name two versions");
  }

  @Test
  void a_refused_promotion_exits_two_with_what_to_do() throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/models/notes/aliases",
          r ->
              Response.problem(
                  403,
                  "Forbidden",
                  "moving champion in production needs approval: repeat with --approve"));

      CliRunner.Result result =
          CliRunner.run(
              "--api", api.url(), "models", "promote", "--collection", "notes", "--version", "2");

      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err()).contains("repeat with --approve");
      JsonNode sent = api.requests("POST", "/v1/models/notes/aliases").get(0).json();
      assertThat(sent.path("alias").asText()).isEqualTo("champion");
      assertThat(sent.path("version").asInt()).isEqualTo(2);
      assertThat(sent.has("approve")).isFalse();
      assertThat(sent.path("reason").asText()).isNotBlank();
    }
  }

  @Test
  void a_bad_alias_or_version_is_a_usage_error_before_any_request() {
    CliRunner.Result alias =
        CliRunner.run(
            "--api",
            "http://127.0.0.1:9",
            "models",
            "promote",
            "--collection",
            "c",
            "--version",
            "2",
            "--alias",
            "king");
    CliRunner.Result version =
        CliRunner.run(
            "--api", "http://127.0.0.1:9", "models", "show", "--collection", "c", "--version", "x");

    assertThat(alias.exitCode()).isEqualTo(2);
    assertThat(alias.err()).contains("--alias must be one of champion, staging, previous");
    assertThat(version.exitCode()).isEqualTo(2);
    assertThat(version.err()).contains("'x' is not a version number");
  }
}
