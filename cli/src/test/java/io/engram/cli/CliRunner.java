package io.engram.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs the CLI in-process with captured stdout and stderr, as the launcher would run it. */
final class CliRunner {

  record Result(int exitCode, String out, String err) {}

  private CliRunner() {}

  static Result run(String... args) {
    return run(Map.of(), args);
  }

  /**
   * Runs with exactly {@code env} as the environment, so the developer's own settings never leak
   * in.
   */
  static Result run(Map<String, String> env, String... args) {
    return run(new EngramCli(env), args);
  }

  /** Runs with an empty environment and {@code terminal} as the one that asks the user. */
  static Result run(Terminal terminal, String... args) {
    return run(new EngramCli(Map.of(), terminal), args);
  }

  private static Result run(EngramCli cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        EngramCli.commandLine(cli, new PrintWriter(out, true), new PrintWriter(err, true))
            .execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  /** No terminal: a command that would ask the user cannot. */
  static final Terminal NO_TERMINAL = prompt -> Optional.empty();

  /** A terminal that answers {@code answer} and records what it was asked. */
  static Terminal answering(String answer, List<String> asked) {
    return prompt -> {
      asked.add(prompt);
      return Optional.of(answer);
    };
  }
}
