package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class CommandContextTest {

  @Test
  void prints_text_for_a_person_by_default() {
    CliRunner.Result result = run("probe");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("the answer is 42" + System.lineSeparator());
  }

  @Test
  void prints_one_json_document_with_json_before_or_after_the_command_name() throws Exception {
    assertThat(json(run("--json", "probe"))).isEqualTo(Map.of("answer", 42));
    assertThat(json(run("probe", "--json"))).isEqualTo(Map.of("answer", 42));
  }

  @Test
  void finds_the_global_options_from_a_nested_command() throws Exception {
    assertThat(json(run("group", "probe", "--json"))).isEqualTo(Map.of("answer", 42));
  }

  @Test
  void a_usage_error_names_the_problem_and_exits_2() {
    CliRunner.Result result = run("probe", "--refuse");

    assertThat(result.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(result.err()).contains("probe refuses").contains("Usage: engram probe");
  }

  @Test
  void gives_every_command_help_and_version() {
    assertThat(run("probe", "--help").out()).contains("--version");
    assertThat(run("probe", "--version").out()).startsWith("engram ");
  }

  private static Map<?, ?> json(CliRunner.Result result) throws Exception {
    return EngramClient.JSON.readValue(result.out(), Map.class);
  }

  private static CliRunner.Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    // Writers set on a command line reach only the subcommands it already has.
    CommandLine commandLine = new CommandLine(new EngramCli(Map.of()));
    commandLine.addSubcommand(new Probe());
    commandLine.addSubcommand(new CommandLine(new Group()).addSubcommand(new Probe()));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new CliRunner.Result(exitCode, out.toString(), err.toString());
  }

  @Command(name = "probe")
  static final class Probe implements Callable<Integer> {
    @Mixin CommandContext context;

    @CommandLine.Option(names = "--refuse")
    boolean refuse;

    @Override
    public Integer call() throws Exception {
      if (refuse) {
        throw context.usageError("probe refuses");
      }
      context.print(Map.of("answer", 42), out -> out.println("the answer is 42"));
      return 0;
    }
  }

  @Command(name = "group")
  static final class Group {}
}
