package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import io.engram.contract.Collections;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

class EngramCliTest {

  @ParameterizedTest
  @ValueSource(strings = {"", "ingest", "ask", "status"})
  void everyCommandHasHelpThatMentionsJson(String subcommand) {
    String[] args =
        subcommand.isEmpty() ? new String[] {"--help"} : new String[] {subcommand, "--help"};

    CliRunner.Result result = CliRunner.run(args);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .startsWith(("Usage: engram " + subcommand).strip())
        .contains("--json", "--api=URL", "--help");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void everyCommandAtAnyDepthTakesHelpAndVersionOptions() {
    List<CommandSpec> commands = everyCommand();

    assertThat(commands).extracting(CommandSpec::qualifiedName).contains("engram models show");
    assertThat(commands)
        .allSatisfy(
            c -> {
              assertThat(c.findOption("-h")).as(c.qualifiedName()).matches(OptionSpec::usageHelp);
              assertThat(c.findOption("--help")).as(c.qualifiedName()).isNotNull();
              assertThat(c.findOption("-V")).as(c.qualifiedName()).matches(OptionSpec::versionHelp);
            });
  }

  /**
   * Each command line gives a {@code --collection} the API would refuse, to a command that takes
   * one; the list covers every such command (checked below; the hidden {@code bench-query} and
   * {@code bench-load} are named {@code query} and {@code load}).
   */
  private static final List<String> WITH_A_BAD_COLLECTION =
      List.of(
          "ask --collection Bad/Name what",
          "chat --collection Bad/Name",
          "retrain --collection Bad/Name",
          "drift check --collection Bad/Name",
          "drift reports --collection Bad/Name",
          "rollout status --collection Bad/Name",
          "models list --collection Bad/Name",
          "models show --collection Bad/Name --version 1",
          "models diff --collection Bad/Name 1 2",
          "models promote --collection Bad/Name --version 1 --alias prod --reason r",
          "models archive --collection Bad/Name --version 1 --reason r",
          "rollout start --collection Bad/Name --version 1 --reason r",
          "bench query --collection Bad/Name",
          "bench load --collection Bad/Name",
          "bench-query --collection Bad/Name",
          "bench-load --collection Bad/Name",
          "eval --collection Bad/Name --check .",
          "ingest --collection Bad/Name .");

  /**
   * Every command that takes {@code --collection} refuses a bad name before it sends anything, in
   * the words of the one rule: {@code ask} used to pass it on and print the API's shorter rule.
   */
  @Test
  void every_collection_option_is_held_to_the_same_rule_before_anything_is_sent() {
    List<CommandSpec> commands = everyCommand();
    List<String> taking =
        commands.stream()
            .filter(c -> c.findOption("--collection") != null)
            .map(c -> c.qualifiedName().substring("engram ".length()))
            .toList();
    assertThat(taking)
        .allSatisfy(
            name ->
                assertThat(WITH_A_BAD_COLLECTION)
                    .as(name)
                    .anyMatch(line -> line.contains(name + " --collection")));

    for (String line : WITH_A_BAD_COLLECTION) {
      List<String> args = new ArrayList<>(List.of("--api", "http://127.0.0.1:9"));
      args.addAll(List.of(line.split(" ")));
      CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));

      assertThat(result.exitCode()).as(line + "\n" + result.err()).isEqualTo(2);
      assertThat(result.err())
          .as(line)
          .contains(
              "--collection 'Bad/Name' is not a valid collection name: use "
                  + Collections.NAME_RULE);
    }
  }

  /** The CLI's commands at every depth, the top one first. */
  private static List<CommandSpec> everyCommand() {
    List<CommandSpec> commands = new ArrayList<>();
    collect(
        EngramCli.commandLine(
            new EngramCli(Map.of()),
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter())),
        commands);
    return commands;
  }

  private static void collect(CommandLine line, List<CommandSpec> into) {
    into.add(line.getCommandSpec());
    line.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, into));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-V",
        "--version",
        "models -V",
        "models list -V",
        "models show -V",
        "rollout start -V",
        "rollout pause -V",
        "collections delete --version",
        "bench query -V"
      })
  void versionOptionsPrintTheVersionEvenWhereOtherOptionsAreRequired(String command) {
    CliRunner.Result result = CliRunner.run(command.split(" "));

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("engram ");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void inModelsAndRolloutSubcommandsLongVersionStillNamesAModelVersion() {
    CliRunner.Result result = CliRunner.run("models", "show", "--collection", "c", "--version");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--version");
  }

  @Test
  void noSubcommandPrintsUsageAndIsAUsageError() {
    CliRunner.Result result = CliRunner.run();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Usage: engram", "ingest", "ask", "status");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "drift", "models"})
  void aCommandGroupWithoutItsSubcommandPrintsItsUsageAndIsAUsageError(String group) {
    CliRunner.Result result = CliRunner.run(group);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).startsWith("Usage: engram " + group).contains("Commands:");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void serverErrorExitsOne() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/health", r -> new Response(500, "text/html", "<h1>Internal oops</h1>"));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "status");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err()).contains("error: HTTP 500: <h1>Internal oops</h1>");
      assertThat(result.err()).doesNotContain("at io.engram");
    }
  }

  @Test
  void unreachableApiExitsThreeWithAHint() throws IOException {
    String url = "http://127.0.0.1:" + freePort();

    CliRunner.Result result = CliRunner.run("--api", url, "ask", "anything");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err().strip())
        .isEqualTo(
            "error: cannot reach the Engram API at "
                + url
                + " — start it with ./engram up (or set ENGRAM_API_URL)");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void apiUrlComesFromTheEnvironmentWhenNotGiven() throws IOException {
    String url = "http://127.0.0.1:" + freePort();

    CliRunner.Result result = CliRunner.run(Map.of("ENGRAM_API_URL", url + "/"), "status");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err()).contains("cannot reach the Engram API at " + url + " ");
  }

  @Test
  void verboseAndDebugEnvironmentPrintStackTraces() throws IOException {
    String url = "http://127.0.0.1:" + freePort();

    CliRunner.Result verbose = CliRunner.run("status", "--api", url, "--verbose");
    CliRunner.Result debug = CliRunner.run(Map.of("ENGRAM_DEBUG", "1"), "--api", url, "status");

    assertThat(verbose.exitCode()).isEqualTo(3);
    assertThat(verbose.err()).contains("java.net.ConnectException", "\tat ");
    assertThat(debug.err()).contains("java.net.ConnectException", "\tat ");
  }

  @Test
  void malformedApiUrlIsAUsageError() {
    CliRunner.Result result = CliRunner.run("--api", "localhost:8080", "status");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: invalid API URL 'localhost:8080'");
  }

  /** A port nothing listens on: bound once to find it, then released. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
