package io.engram.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Queries;
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
    description = {
      "Chat in a session: each line is a turn; follow-ups use the earlier turns. /quit ends.",
      "With --json, each answer is one JSON object on a line of its own (JSON Lines).",
      "A refused turn is said on stderr (and with --json as an {\"error\", \"status\"} line);",
      "the rest are still asked, and the exit status is 2."
    })
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
      names = "--user",
      paramLabel = "ID",
      description =
          "Open the new session for this user: it recalls the facts they told in earlier sessions,"
              + " and what they tell is theirs (default: an anonymous session, whose facts are its"
              + " own).")
  String user;

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
    if (session != null && user != null) {
      throw context.usageError(
          "--user goes with a new session only: a session keeps the user it was opened for; drop"
              + " one of them");
    }
    if (topK < 1 || topK > Queries.MAX_TOP_K) {
      throw context.usageError("--top-k must be from 1 to " + Queries.MAX_TOP_K);
    }
    EngramClient client = context.client();
    String sessionId =
        session != null ? existing(client, session) : client.createSession(collection, user);
    err.println("session " + sessionId + " — type a question, /quit to end");
    err.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int asked = 0;
    int refused = 0;
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
      asked++;
      try {
        Reply<QueryResponse> reply =
            client.query(new QueryRequest(line.strip(), sessionId, null, topK));
        if (context.cli().json()) {
          // One answer per line: a stream of turns a script reads as it comes.
          context.out().println(reply.json().toString());
          context.out().flush();
        } else {
          context.print(reply, ChatCommand::print);
        }
      } catch (CliException e) {
        int status = e.httpStatus();
        if (e.exitCode() != CliException.USAGE || status == 401 || status == 403) {
          throw e; // unreachable, unauthorised, failing: the conversation cannot go on
        }
        if (status == 404) {
          throw sessionGone(sessionId); // closed when idle
        }
        // A question the API refuses (too long, say): say why and take the next one. A script
        // reading JSON Lines gets a line for it too, so it stays in step with its questions.
        refused++;
        err.println("error: " + e.getMessage());
        err.flush();
        if (context.cli().json()) {
          ObjectNode refusal = EngramClient.JSON.createObjectNode();
          refusal.put("error", e.getMessage());
          refusal.put("status", status);
          context.out().println(refusal.toString());
          context.out().flush();
        }
      }
    }
    if (refused > 0) {
      err.printf("%d of %d %s refused%n", refused, asked, asked == 1 ? "turn was" : "turns were");
      err.flush();
      return CliException.USAGE;
    }
    return 0;
  }

  /** The session {@code id}, once the API says it is open; refused in the CLI's words otherwise. */
  private static String existing(EngramClient client, String id) {
    try {
      return client.sessionTurns(id).value().sessionId();
    } catch (CliException e) {
      if (e.httpStatus() == 404) {
        throw sessionGone(id);
      }
      if (e.httpStatus() == 400) {
        throw new CliException(
            "--session " + id + " is not a session id: give the UUID a chat printed",
            CliException.USAGE);
      }
      throw e;
    }
  }

  private static CliException sessionGone(String id) {
    return new CliException(
        "no open session "
            + id
            + " (it was closed after being idle, or belongs to another key's tenant); run"
            + " ./engram chat without --session to open a new one",
        CliException.USAGE);
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
