package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.FakeApi.Response;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AskCommandTest {

  private static final String ANSWER =
      "{\"answer\":\"Retention is 30 days.\",\"answerMode\":\"extractive\","
          + "\"sources\":["
          + "{\"documentId\":1,\"chunkId\":2,\"source\":\"/docs/policy.md\",\"title\":\"Policy\","
          + "\"snippet\":\"Backups are kept for 30 days.\\n\\nAfter that   they are deleted. "
          + "x".repeat(400)
          + "\",\"score\":0.8312},"
          + "{\"documentId\":7,\"chunkId\":9,\"source\":\"ticket-42\",\"title\":null,"
          + "\"snippet\":\"See policy.\",\"score\":0.5}],"
          + "\"intent\":\"lookup\",\"modelVersion\":\"bge-small-en-v1.5\","
          + "\"timings\":{\"totalMs\":12.3,\"retrievalMs\":4.5},\"futureField\":true}";

  private FakeApi api;

  @BeforeEach
  void startApi() throws IOException {
    api = new FakeApi();
    api.on("POST", "/v1/query", r -> Response.json(200, ANSWER));
  }

  @AfterEach
  void stopApi() {
    api.close();
  }

  @Test
  void jsonPrintsTheResponseAsIsAndNothingElse() throws Exception {
    CliRunner.Result result =
        CliRunner.run(
            "--api",
            api.url(),
            "ask",
            "how long are backups kept?",
            "--collection",
            "ops",
            "--top-k",
            "5",
            "--session",
            "s-1",
            "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode printed =
        EngramClient.JSON
            .readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .readValue(result.out());
    assertThat(printed).isEqualTo(EngramClient.JSON.readTree(ANSWER));

    JsonNode sent = api.requests("POST", "/v1/query").get(0).json();
    assertThat(sent)
        .isEqualTo(
            EngramClient.JSON.readTree(
                "{\"query\":\"how long are backups kept?\",\"collection\":\"ops\","
                    + "\"topK\":5,\"sessionId\":\"s-1\"}"));
    assertThat(api.requests().get(0).contentType()).isEqualTo("application/json");
  }

  @Test
  void omitsUnsetFieldsAndJoinsUnquotedWords() {
    CliRunner.Result result = CliRunner.run("--api", api.url(), "ask", "what", "is", "engram");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(api.requests().get(0).text()).isEqualTo("{\n  \"query\" : \"what is engram\"\n}");
  }

  @Test
  void humanOutputShowsTheAnswerThenNumberedShortenedSources() {
    CliRunner.Result result = CliRunner.run("--api", api.url(), "ask", "backups?");

    assertThat(result.exitCode()).as(result.err()).isZero();
    String[] lines = result.out().split("\n");
    assertThat(lines[0]).isEqualTo("Retention is 30 days.");
    assertThat(lines[1]).isEqualTo("(extractive: the best passage, not generated)");
    assertThat(lines[2]).isEmpty();
    assertThat(lines[3]).isEqualTo("[1] Policy — /docs/policy.md (score 0.831)");
    assertThat(lines[4])
        .startsWith("    Backups are kept for 30 days. After that they are deleted. xxx")
        .endsWith("…")
        .hasSizeLessThanOrEqualTo(4 + 200);
    assertThat(lines[5]).isEqualTo("[2] ticket-42 (score 0.500)");
    assertThat(lines[6]).isEqualTo("    See policy.");
  }

  @Test
  void anLlmOutageIsShownAsAWarningBesideTheExtractiveAnswer() throws IOException {
    try (FakeApi degraded = new FakeApi()) {
      degraded.on(
          "POST",
          "/v1/query",
          r ->
              Response.json(
                  200,
                  "{\"answer\":\"Backups last 30 days. [1]\",\"answerMode\":\"extractive\","
                      + "\"warning\":\"LLM call failed: HTTP 500; answered extractively\",\"sources\":[]}"));
      CliRunner.Result result = CliRunner.run("--api", degraded.url(), "ask", "backups?");
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .contains(
              "(extractive: the best passage, not generated; warning: LLM call failed: HTTP 500;"
                  + " answered extractively)");
    }
  }

  @Test
  void noSourcesIsSaidPlainly() throws IOException {
    try (FakeApi empty = new FakeApi()) {
      empty.on(
          "POST",
          "/v1/query",
          r -> Response.json(200, "{\"answer\":\"\",\"answerMode\":\"retrieval\",\"sources\":[]}"));

      CliRunner.Result result = CliRunner.run("--api", empty.url(), "ask", "unknown?");

      assertThat(result.exitCode()).isZero();
      assertThat(result.out()).isEqualTo("no matching passages found\n");
    }
  }
}
