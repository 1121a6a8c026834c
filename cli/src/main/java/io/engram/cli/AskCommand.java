package io.engram.cli;

import io.engram.cli.EngramClient.QueryRequest;
import io.engram.cli.EngramClient.QueryResponse;
import io.engram.cli.EngramClient.QuerySource;
import io.engram.cli.EngramClient.Reply;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Asks a question and shows the answer together with the passages it was drawn from. */
@Command(
    name = "ask",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = "Ask a question; prints the answer and the sources it is based on.")
final class AskCommand implements Callable<Integer> {

  private static final int SNIPPET_LENGTH = 200;

  @ParentCommand EngramCli root;

  @Spec CommandSpec spec;

  // Several words are joined so that an unquoted question still works.
  @Parameters(
      paramLabel = "QUESTION",
      arity = "1..*",
      description = "The question (quoting it is optional).")
  List<String> words;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      description = "Collection to search (default: the API's default collection).")
  String collection;

  @Option(
      names = "--top-k",
      paramLabel = "N",
      description = "How many passages to retrieve (default: the API's setting).")
  Integer topK;

  @Option(
      names = "--session",
      paramLabel = "ID",
      description = "Conversation session, so follow-up questions can use earlier turns.")
  String session;

  @Override
  public Integer call() throws Exception {
    String question = String.join(" ", words).strip();
    if (question.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "the question must not be empty");
    }
    if (topK != null && topK <= 0) {
      throw new ParameterException(spec.commandLine(), "--top-k must be positive");
    }
    Reply<QueryResponse> reply =
        root.client().query(new QueryRequest(question, collection, topK, session));
    PrintWriter out = spec.commandLine().getOut();
    if (root.json()) {
      out.println(EngramClient.JSON.writeValueAsString(reply.json()));
    } else {
      print(out, reply.value());
    }
    out.flush();
    return 0;
  }

  private static void print(PrintWriter out, QueryResponse response) {
    if (response.answer() != null && !response.answer().isBlank()) {
      out.println(response.answer().strip());
      out.println();
    }
    List<QuerySource> sources = response.sources();
    if (sources.isEmpty()) {
      out.println("no matching passages found");
      return;
    }
    for (int i = 0; i < sources.size(); i++) {
      QuerySource source = sources.get(i);
      StringBuilder line = new StringBuilder("[").append(i + 1).append("] ").append(label(source));
      if (source.score() != null) {
        line.append(String.format(Locale.ROOT, " (score %.3f)", source.score()));
      }
      out.println(line);
      if (source.snippet() != null && !source.snippet().isBlank()) {
        out.println("    " + EngramClient.shorten(source.snippet(), SNIPPET_LENGTH));
      }
    }
  }

  private static String label(QuerySource source) {
    String title = blankToNull(source.title());
    String origin = blankToNull(source.source());
    if (title != null && origin != null && !title.equals(origin)) {
      return title + " — " + origin;
    }
    if (title != null || origin != null) {
      return title != null ? title : origin;
    }
    return "document " + source.documentId();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
