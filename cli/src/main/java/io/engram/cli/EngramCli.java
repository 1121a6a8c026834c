package io.engram.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * Entry point of the Java half of {@code ./engram}. It only ever talks to the Engram API over HTTP,
 * so it works the same against a local dev stack and a remote deployment.
 */
@Command(
    name = "engram",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = "Command-line client for the Engram API.",
    subcommands = {
      IngestCommand.class,
      AskCommand.class,
      StatusCommand.class,
      ChatCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      SchedulesCommand.class,
      MemoryCommand.class,
      DriftCommand.class,
      ModelsCommand.class,
      RetrainCommand.class,
      KeysCommand.class,
      CollectionsCommand.class,
      RolloutCommand.class
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  ENGRAM_API_URL          API base URL (default: " + EngramCli.DEFAULT_API_URL + ")",
      "  ENGRAM_TEMPORAL_UI_URL  Temporal Web UI (default: " + EngramCli.DEFAULT_TEMPORAL_UI + ")",
      "  ENGRAM_API_KEY          API key sent as 'Authorization: Bearer' (./engram keys create)",
      "  ENGRAM_DEBUG=1          print stack traces for errors, like --verbose",
      "",
      "Exit codes: 0 success, 1 server or workflow failure or rate limited (try again later),"
          + " 2 bad input or a request the API refuses as it stands (HTTP 4xx other than 429),"
          + " 3 API unreachable."
    })
public final class EngramCli extends CommandGroup {

  static final String DEFAULT_API_URL = "http://127.0.0.1:8080";
  static final String DEFAULT_TEMPORAL_UI = "http://localhost:8233";

  /** The option every command that works on one collection names it with. */
  private static final String COLLECTION_OPTION = "--collection";

  private final Map<String, String> env;
  private final Terminal terminal;

  // The global options are inherited so they may be written before or after the subcommand name;
  // picocli binds every copy to these fields, which is where the subcommands read them.
  @Option(
      names = "--api",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      description = {"Engram API base URL.", "Default: $ENGRAM_API_URL or " + DEFAULT_API_URL})
  String api;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print one JSON document on stdout instead of human-readable text.")
  boolean json;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print stack traces for errors (also ENGRAM_DEBUG=1).")
  boolean verbose;

  public EngramCli() {
    this(System.getenv());
  }

  EngramCli(Map<String, String> env) {
    this(env, Terminal.system());
  }

  /** With {@code terminal} as the person asked to confirm (tests answer for them). */
  EngramCli(Map<String, String> env, Terminal terminal) {
    this.env = Map.copyOf(env);
    this.terminal = terminal;
  }

  /** Who confirms what cannot be undone. */
  Terminal terminal() {
    return terminal;
  }

  public static void main(String[] args) {
    // Snippets and file names are rarely pure ASCII, and Java 17 would otherwise encode output in
    // the locale's charset, which is ASCII in minimal containers.
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int exitCode = commandLine(new EngramCli(), out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(exitCode);
  }

  /** Builds the configured command line; tests use this with captured writers. */
  static CommandLine commandLine(EngramCli cli, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(cli);
    commandLine.addSubcommand(BenchCommand.LEGACY_QUERY, hidden(new BenchQueryCommand()));
    commandLine.addSubcommand(BenchCommand.LEGACY_LOAD, hidden(new BenchLoadCommand()));
    // What the API returns may hold control characters from other users; none reaches the terminal.
    // Picocli's own colours would be escaped with them, so its help and errors are plain.
    commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    commandLine.setOut(new TerminalSafe.Terminal(out));
    commandLine.setErr(new TerminalSafe.Terminal(err));
    commandLine.setExecutionExceptionHandler(cli::handleFailure);
    commandLine.setExecutionStrategy(EngramCli::checkCollectionsThenRun);
    return commandLine;
  }

  /**
   * Runs the command, once every {@code --collection} given, whichever command takes it, is a name
   * the API would take: a usage error with the one rule otherwise, before any request is sent (the
   * API's own refusal came later and in other words).
   */
  private static int checkCollectionsThenRun(ParseResult parsed) {
    Integer help = CommandLine.executeHelpRequest(parsed);
    if (help != null) {
      return help;
    }
    for (ParseResult command = parsed; command != null; command = command.subcommand()) {
      for (OptionSpec option : command.matchedOptions()) {
        if (Arrays.asList(option.names()).contains(COLLECTION_OPTION)
            && option.getValue() instanceof String name) {
          SharedContext.requireCollectionName(
              command.commandSpec().commandLine(), COLLECTION_OPTION, name);
        }
      }
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  private static CommandLine hidden(Object command) {
    CommandLine line = new CommandLine(command);
    line.getCommandSpec().usageMessage().hidden(true);
    return line;
  }

  EngramClient client() {
    return new EngramClient(apiUrl(), env.get("ENGRAM_API_KEY"));
  }

  String apiUrl() {
    if (api != null) {
      return api;
    }
    String fromEnv = env.get("ENGRAM_API_URL");
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT_API_URL : fromEnv;
  }

  boolean json() {
    return json;
  }

  /** Where a person can watch a workflow, so long runs are debuggable without extra tooling. */
  String temporalUiLink(String workflowId) {
    String base = env.getOrDefault("ENGRAM_TEMPORAL_UI_URL", "");
    base = base.isBlank() ? DEFAULT_TEMPORAL_UI : base.strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String namespace = env.getOrDefault("TEMPORAL_NAMESPACE", "");
    namespace = namespace.isBlank() ? "default" : namespace.strip();
    return base
        + "/namespaces/"
        + EngramClient.pathSegment(namespace)
        + "/workflows/"
        + EngramClient.pathSegment(workflowId);
  }

  private boolean debug() {
    return verbose || "1".equals(env.get("ENGRAM_DEBUG"));
  }

  private int handleFailure(Exception failure, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    commandLine.getOut().flush();
    int exitCode;
    if (failure instanceof CliException known) {
      err.println("error: " + known.getMessage());
      exitCode = known.exitCode();
    } else {
      String message = failure.getMessage();
      err.println(
          "error: "
              + (message == null ? failure.getClass().getName() : message)
              + (debug() ? "" : " (run with --verbose for details)"));
      exitCode = CommandLine.ExitCode.SOFTWARE;
    }
    if (debug()) {
      failure.printStackTrace(err);
    }
    err.flush();
    return exitCode;
  }

  /** Reports the version recorded in the jar manifest, when the build put one there. */
  static final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = EngramCli.class.getPackage().getImplementationVersion();
      return new String[] {"engram " + (version == null ? "(development build)" : version)};
    }
  }
}
