package io.engram.cli;

import static io.engram.cli.IngestCommandIT.readOne;
import static io.engram.cli.IngestCommandIT.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Queries.QueryResponse;
import io.engram.contract.Queries.Source;
import io.engram.testing.EngramServices;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./engram ask} and {@code ./engram chat} against a real API and worker. */
@EngramServices
@ExtendWith(RealEngram.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AskCommandIT {
  private static final String COLLECTION = "ask-it";

  private Path reef;

  @BeforeAll
  void ingestTwoNotes(@TempDir Path home) throws Exception {
    Path notes = Files.createDirectories(home.resolve("notes"));
    write(notes.resolve("ice.txt"), "Glaciers in Greenland are melting faster every decade.");
    reef = write(notes.resolve("reef.txt"), "Coral reefs bleach when sea temperatures rise.");
    CliRunner.Result ingested =
        CliRunner.run(
            "--api", RealEngram.url(), "ingest", notes.toString(), "--collection", COLLECTION);
    assertThat(ingested.exitCode()).as(ingested.err()).isZero();
  }

  @Test
  void json_prints_the_api_response_and_nothing_else() throws Exception {
    CliRunner.Result result =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "ask",
            "why do corals bleach",
            "--collection",
            COLLECTION,
            "--top-k",
            "2",
            "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    QueryResponse response = readOne(result.out(), QueryResponse.class);
    assertThat(response.sources()).hasSize(2);
    assertThat(response.sources().get(0).source()).isEqualTo(reef.toRealPath().toString());
    assertThat(response.answerMode()).isEqualTo("extractive");
    assertThat(response.queryId()).isNotBlank();
    assertThat(response.intent()).isEqualTo("question");
  }

  @Test
  void the_human_output_shows_the_answer_then_numbered_sources_with_scores() throws Exception {
    CliRunner.Result result =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "ask",
            "why",
            "do",
            "corals",
            "bleach",
            "--collection",
            COLLECTION);

    assertThat(result.exitCode()).as(result.err()).isZero();
    String[] lines = result.out().split("\n");
    assertThat(lines[0]).contains("Coral reefs bleach");
    assertThat(lines[1]).isEqualTo("(extractive: the best passage, not generated)");
    assertThat(lines[2]).isEmpty();
    assertThat(lines[3]).matches("\\[1] .*" + reef.getFileName() + " \\(score \\d\\.\\d{3}\\)");
    assertThat(lines[4]).isEqualTo("    Coral reefs bleach when sea temperatures rise.");
    assertThat(result.out()).contains("[2] ");
  }

  @Test
  void small_talk_is_answered_without_sources() {
    CliRunner.Result result =
        CliRunner.run("--api", RealEngram.url(), "ask", "hello", "--collection", COLLECTION);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("Hello!")
        .contains("(nothing looked up: the turn reads as chit chat, not a question)")
        .doesNotContain("no matching passages");
  }

  @Test
  void an_unknown_collection_is_a_usage_error_from_the_api() {
    CliRunner.Result result =
        CliRunner.run("--api", RealEngram.url(), "ask", "anything?", "--collection", "no-such-one");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo("error: Not Found: no collection 'no-such-one'; ingest into it first");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void a_top_k_out_of_range_is_a_usage_error_naming_the_option() {
    CliRunner.Result result =
        CliRunner.run(
            "--api", RealEngram.url(), "ask", "why?", "--collection", COLLECTION, "--top-k", "101");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--top-k must be from 1 to 100");
  }

  @Test
  void chat_asks_every_line_in_one_new_session_until_quit() throws Exception {
    InputStream stdin = System.in;
    System.setIn(
        new ByteArrayInputStream(
            ("why do corals bleach?\n\n"
                    + "x".repeat(5000)
                    + "\nand glaciers?\n/quit\nnever sent\n")
                .getBytes(StandardCharsets.UTF_8)));
    try {
      CliRunner.Result result =
          CliRunner.run("--api", RealEngram.url(), "--json", "chat", "--collection", COLLECTION);

      // The refused question is reported, the conversation goes on, and the exit status says so.
      assertThat(result.err()).contains("error: Bad Request: /query");
      assertThat(result.err()).contains("1 of 3 turns were refused");
      assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
      String sessionId = result.err().replaceAll("(?s).*session (\\S+) — .*", "$1").strip();
      // JSON Lines: a line per turn, the refused one's saying why.
      List<String> replies = result.out().strip().lines().toList();
      assertThat(replies).hasSize(3);
      assertThat(EngramClient.JSON.readTree(replies.get(1)).path("status").asInt()).isEqualTo(400);
      for (String reply : List.of(replies.get(0), replies.get(2))) {
        assertThat(EngramClient.JSON.readTree(reply).path("sessionId").asText())
            .isEqualTo(sessionId);
      }
    } finally {
      System.setIn(stdin);
    }
  }

  @Test
  void chat_refuses_an_unknown_session_or_top_k_before_reading_a_question() {
    CliRunner.Result unknown =
        CliRunner.run(
            "--api", RealEngram.url(), "chat", "--session", "00000000-0000-0000-0000-000000000000");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("no open session 00000000-0000-0000-0000-000000000000")
        .contains("./engram chat without --session")
        .doesNotContain("— type a question");

    CliRunner.Result malformed =
        CliRunner.run("--api", RealEngram.url(), "chat", "--session", "s-1");
    assertThat(malformed.exitCode()).isEqualTo(2);
    assertThat(malformed.err()).contains("--session s-1 is not a session id");

    CliRunner.Result topK =
        CliRunner.run(
            "--api", RealEngram.url(), "chat", "--collection", COLLECTION, "--top-k", "0");
    assertThat(topK.exitCode()).isEqualTo(2);
    assertThat(topK.err()).contains("--top-k must be from 1 to 100");
  }

  @Test
  void chat_refuses_a_collection_for_a_session_that_has_its_own() {
    CliRunner.Result result =
        CliRunner.run(
            "--api", RealEngram.url(), "chat", "--session", "s-1", "--collection", COLLECTION);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("a session keeps the collection it was opened with");
  }

  /**
   * {@code --user} asks in a new session of that user: a fact told in one such session is recalled
   * in the next, as a user's facts are across their sessions (the CLI could not reach per-user
   * memory before: only curl could).
   */
  @Test
  void ask_as_a_user_recalls_what_the_user_told_in_an_earlier_session() throws Exception {
    CliRunner.Result told = askAs("ada-ask", "My name is Ada.");
    assertThat(told.err()).contains("(user ada-ask)");

    // Distillation runs in the worker, signalled by the statement: wait for the fact.
    List<String> recalled = List.of();
    for (int attempt = 0; attempt < 60 && recalled.isEmpty(); attempt++) {
      recalled = memories(askAs("ada-ask", "What is my name?"));
      if (recalled.isEmpty()) {
        Thread.sleep(1000);
      }
    }
    assertThat(recalled)
        .as("a memory source for the user's name; told: %s", told.out())
        .isNotEmpty();

    // Another user's session recalls none of it.
    assertThat(memories(askAs("bob-ask", "What is my name?"))).isEmpty();
  }

  /** {@code ask --json QUESTION --user USER} in this class's collection; it must succeed. */
  private static CliRunner.Result askAs(String user, String question) {
    CliRunner.Result result =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "--json",
            "ask",
            question,
            "--collection",
            COLLECTION,
            "--user",
            user);
    assertThat(result.exitCode()).as(result.err()).isZero();
    return result;
  }

  /** The remembered facts among an answer's sources. */
  private static List<String> memories(CliRunner.Result asked) throws Exception {
    return readOne(asked.out(), QueryResponse.class).sources().stream()
        .map(Source::source)
        .filter(source -> source.startsWith("memory:"))
        .toList();
  }

  @Test
  void a_user_goes_with_a_new_session_only() {
    for (String command : List.of("ask", "chat")) {
      List<String> args =
          new java.util.ArrayList<>(
              List.of("--api", RealEngram.url(), command, "--session", "s-1", "--user", "ada"));
      if (command.equals("ask")) {
        args.add("why?");
      }
      CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));

      assertThat(result.exitCode()).as(command).isEqualTo(2);
      assertThat(result.err()).as(command).contains("keeps the user it was opened for");
    }
  }
}
