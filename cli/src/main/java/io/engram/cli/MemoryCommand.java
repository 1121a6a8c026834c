package io.engram.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Long-term memory: what each tier holds and how the lifecycle jobs are doing. */
@Command(
    name = "memory",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = "Inspect Engram's memory (working, episodic, semantic).",
    subcommands = {MemoryCommand.Stats.class, MemoryCommand.Promote.class})
final class MemoryCommand implements Callable<Integer> {

  @ParentCommand EngramCli root;

  @Spec CommandSpec spec;

  /** Without a subcommand there is nothing to do, which is a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return CommandLine.ExitCode.USAGE;
  }

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      versionProvider = EngramCli.VersionProvider.class,
      description = {
        "Counts per memory tier, promotions and expirations per day, and the memory schedules."
      })
  static final class Stats implements Callable<Integer> {

    @ParentCommand MemoryCommand memory;

    @Spec CommandSpec spec;

    @Option(
        names = "--days",
        paramLabel = "N",
        defaultValue = "7",
        description = "Days of lifecycle events to show (1-90, default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
      if (days < 1 || days > 90) {
        throw new ParameterException(spec.commandLine(), "--days must be between 1 and 90");
      }
      EngramCli root = memory.root;
      JsonNode stats = root.client().memoryStats(days);
      PrintWriter out = spec.commandLine().getOut();
      if (root.json()) {
        out.println(EngramClient.JSON.writeValueAsString(stats));
      } else {
        print(out, stats);
      }
      out.flush();
      return 0;
    }

    static void print(PrintWriter out, JsonNode s) {
      out.println("Memory");
      out.printf(
          Locale.ROOT,
          "  working    %d open sessions, %d turns%n",
          s.path("working").path("openSessions").asLong(),
          s.path("working").path("turns").asLong());
      out.printf(
          Locale.ROOT,
          "  episodic   %d active facts, %d superseded%n",
          s.path("episodic").path("active").asLong(),
          s.path("episodic").path("superseded").asLong());
      out.printf(Locale.ROOT, "  semantic   %d facts%n", s.path("semantic").path("facts").asLong());
      out.printf(
          Locale.ROOT,
          "  citations  %d waiting for the next salience flush%n",
          s.path("pendingCitations").asLong());
      out.println();
      out.println("Per day (UTC)  distilled  merged  superseded  promoted  expired");
      for (JsonNode d : s.path("days")) {
        out.printf(
            Locale.ROOT,
            "  %-11s %10d %7d %11d %9d %8d%n",
            d.path("day").asText(),
            d.path("distilled").asLong(),
            d.path("merged").asLong(),
            d.path("superseded").asLong(),
            d.path("promoted").asLong(),
            d.path("expired").asLong());
      }
      out.println();
      out.println("Schedules");
      if (s.path("schedules").isArray()) {
        SchedulesCommand.print(out, s.path("schedules"));
      } else {
        out.println("  unknown: " + s.path("schedulesError").asText("the API did not say"));
      }
    }
  }

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      versionProvider = EngramCli.VersionProvider.class,
      description = {
        "Run the promotion of strong episodic facts to semantic memory now, with the thresholds of"
            + " the daily schedule. With --dry-run nothing moves: it reports what would."
      })
  static final class Promote implements Callable<Integer> {

    @ParentCommand MemoryCommand memory;

    @Spec CommandSpec spec;

    @Option(names = "--dry-run", description = "Report the facts that would be promoted.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      EngramCli root = memory.root;
      JsonNode reply = root.client().promote(dryRun);
      PrintWriter out = spec.commandLine().getOut();
      if (root.json()) {
        out.println(EngramClient.JSON.writeValueAsString(reply));
        out.flush();
        return 0;
      }
      String workflowId = reply.path("workflowId").asText();
      JsonNode result = reply.path("result");
      if (!result.isObject()) {
        out.println("promotion " + workflowId + " is still running; watch it in the Temporal UI:");
        out.println("  " + root.temporalUiLink(workflowId));
        out.flush();
        return 0;
      }
      long n = result.path("promoted").asLong();
      out.printf(
          Locale.ROOT,
          "%s %d fact%s in %d batch%s%n",
          result.path("dryRun").asBoolean() ? "would promote" : "promoted",
          n,
          n == 1 ? "" : "s",
          result.path("batches").asInt(),
          result.path("batches").asInt() == 1 ? "" : "es");
      if (n > 0) {
        out.println("  episodic ids: " + ids(result.path("episodicIds")));
        if (!result.path("dryRun").asBoolean()) {
          out.println("  semantic ids: " + ids(result.path("semanticIds")));
        }
      }
      out.println("  run: " + workflowId);
      out.flush();
      return 0;
    }

    private static String ids(JsonNode ids) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode id : ids) {
        sb.append(sb.length() == 0 ? "" : ", ").append(id.asText());
      }
      return sb.toString();
    }
  }
}
