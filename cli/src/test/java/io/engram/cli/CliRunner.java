package io.engram.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

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
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        EngramCli.commandLine(
                new EngramCli(env), new PrintWriter(out, true), new PrintWriter(err, true))
            .execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }
}
