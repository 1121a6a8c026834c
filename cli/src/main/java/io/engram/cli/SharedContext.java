package io.engram.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Collections;
import java.io.PrintWriter;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every command shares, mixed in with {@code @Mixin}: the API client and the global options of
 * {@link EngramCli}, and the output contract: with {@code --json} one JSON document on stdout, else
 * text for a person. Progress and notes go to stderr either way. Commands mix in {@link
 * CommandContext}, which adds {@code --help} and {@code --version}; a {@link VersionSubcommand},
 * whose {@code --version} names a model version, mixes in this directly. The bare {@code @Command}
 * is what lets picocli take it as a mixin: it refuses a class whose only annotation is
 * {@code @Spec}.
 */
@Command
class SharedContext {

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** The top-level command, which holds the global options wherever they were written. */
  EngramCli cli() {
    return (EngramCli) command.root().userObject();
  }

  EngramClient client() {
    return cli().client();
  }

  PrintWriter out() {
    return command.commandLine().getOut();
  }

  PrintWriter err() {
    return command.commandLine().getErr();
  }

  /** A usage error of this command: picocli prints the message and the usage, exit code 2. */
  ParameterException usageError(String message) {
    return new ParameterException(command.commandLine(), message);
  }

  /**
   * Refuses {@code name}, given as {@code option}, when the API would refuse it as a collection's
   * name: before anything is hashed or uploaded for it.
   */
  void requireCollectionName(String option, String name) {
    requireCollectionName(command.commandLine(), option, name);
  }

  /**
   * {@link #requireCollectionName(String, String)} for {@code line}: also what {@link EngramCli}
   * holds every {@code --collection} to before a command runs, so each says the same rule.
   */
  static void requireCollectionName(CommandLine line, String option, String name) {
    if (name != null && !Collections.isValidName(name)) {
      throw new ParameterException(
          line,
          option
              + " '"
              + TerminalSafe.cell(name)
              + "' is not a valid collection name: use "
              + Collections.NAME_RULE);
    }
  }

  /** Where a person can watch a workflow in the Temporal UI. */
  String temporalUiLink(String workflowId) {
    return cli().temporalUiLink(workflowId);
  }

  /** Names a workflow a command started, with where to watch it: {@code workflow ID — see it …}. */
  String workflowLine(String workflowId) {
    return "workflow " + workflowId + " — see it in the Temporal UI: " + temporalUiLink(workflowId);
  }

  /** Prints the API's reply: as it came with {@code --json}, else as {@code text} renders it. */
  <T> void print(Reply<T> reply, BiConsumer<PrintWriter, T> text) throws JsonProcessingException {
    print(reply.json(), out -> text.accept(out, reply.value()));
  }

  /** Prints {@code json} as the document of {@code --json}, else what {@code text} writes. */
  void print(Object json, Consumer<PrintWriter> text) throws JsonProcessingException {
    PrintWriter out = out();
    if (cli().json()) {
      out.println(EngramClient.JSON.writeValueAsString(json));
    } else {
      text.accept(out);
    }
    out.flush();
  }
}
