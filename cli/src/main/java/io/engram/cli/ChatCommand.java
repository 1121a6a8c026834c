package io.engram.cli;

import io.engram.contract.Queries.QueryRequest;
import io.engram.contract.Queries.QueryResponse;
import io.engram.contract.Queries.Source;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * An interactive conversation: opens a session and sends each line as a turn, so follow-up
 * questions are resolved with the session's working memory. Reads standard input, so it can also be
 * driven by a script or a pipe.
 */
@Command(
    name = "chat",
    description =
        "Chat in a session: each line is a turn; follow-ups use the earlier turns. /quit ends.")
final class ChatCommand implements Callable<Integer> {

  @Mixin CommandContext context;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      description =
          "Collection to talk about in a new session (default: the API's default); a session"
              + " given with --session keeps its own.")
  String collection;

  @Option(
      names = "--session",
      paramLabel = "ID",
      description = "Continue an existing session instead of opening one.")
  String session;

  @Option(
      names = "--top-k",
      paramLabel = "N",
      defaultValue = "3",
      description = "Sources per answer (default: ${DEFAULT-VALUE}).")
  int topK;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = context.err();
    if (session != null && collection != null) {
      throw context.usageError(
          "--collection goes with a new session only: a session keeps the collection it was"
              + " opened with; drop one of them");
    }
    EngramClient client = context.client();
    String sessionId = session != null ? session : client.createSession(collection);
    err.println("session " + sessionId + " — type a question, /quit to end");
    err.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while (true) {
      if (System.console() != null) {
        err.print("> ");
        err.flush();
      }
      line = in.readLine();
      if (line == null || line.strip().equals("/quit")) {
        break;
      }
      if (line.isBlank()) {
        continue;
      }
      try {
        context.print(
            client.query(new QueryRequest(line.strip(), sessionId, null, topK)),
            ChatCommand::print);
      } catch (CliException refused) {
        if (refused.exitCode() != CliException.USAGE) {
          throw refused; // unreachable, unauthorised, failing: the conversation cannot go on
        }
        // A question the API refuses (too long, say): say why and take the next one.
        err.println("error: " + refused.getMessage());
        err.flush();
      }
    }
    return 0;
  }

  private static void print(PrintWriter out, QueryResponse response) {
    String rewritten = response.rewrittenQuery();
    if (rewritten != null && !rewritten.isBlank()) {
      out.println("(understood as: " + rewritten + ")");
    }
    out.println(response.answer() == null ? "" : response.answer().strip());
    out.println("(" + AskCommand.answerLabel(response) + ")");
    int i = 1;
    for (Source source : response.sources()) {
      out.printf(
          Locale.ROOT,
          "  [%d] %s — %s%n",
          i++,
          source.title() == null ? "" : source.title(),
          source.source());
    }
    out.println();
  }
}
