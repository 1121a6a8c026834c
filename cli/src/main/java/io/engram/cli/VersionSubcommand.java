package io.engram.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A subcommand of {@code models} or {@code rollout}, where {@code --version N} names a model
 * version: it declares {@code --help} without the standard {@code --version}, so it cannot take
 * {@link CommandContext}, whose standard options include it.
 */
abstract class VersionSubcommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  /** The top-level command, which holds the global options wherever they were written. */
  EngramCli root() {
    return (EngramCli) spec.root().userObject();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Prints {@code json} as the command's one JSON document. */
  void printJson(JsonNode json) throws Exception {
    out().println(EngramClient.JSON.writeValueAsString(json));
    out().flush();
  }
}
