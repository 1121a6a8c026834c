package io.engram.cli;

import io.engram.contract.Memory.MemoryDay;
import io.engram.contract.Memory.MemoryStats;
import io.engram.contract.Memory.PromotionOutcome;
import io.engram.contract.Memory.PromotionStarted;
import io.engram.contract.Users.MemoryForgotten;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Long-term memory: what each tier holds and how the lifecycle jobs are doing. */
@Command(
    name = "memory",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = "Inspect Engram's memory (working, episodic, semantic).",
    subcommands = {
      MemoryCommand.Stats.class,
      MemoryCommand.Promote.class,
      MemoryCommand.Forget.class
    })
final class MemoryCommand extends CommandGroup {

  @Command(
      name = "stats",
      description = {
        "Counts per memory tier, promotions and expirations per day, and the memory schedules."
      })
  static final class Stats implements Callable<Integer> {

    @Mixin CommandContext context;

    @Option(
        names = "--days",
        paramLabel = "N",
        defaultValue = "7",
        description = "Days of lifecycle events to show (1-90, default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
      if (days < 1 || days > 90) {
        throw context.usageError("--days must be between 1 and 90");
      }
      context.print(context.client().memoryStats(days), Stats::print);
      return 0;
    }

    static void print(PrintWriter out, MemoryStats s) {
      out.println("Memory");
      out.printf(
          Locale.ROOT,
          "  working    %d open sessions, %d turns%n",
          s.working().openSessions(),
          s.working().turns());
      out.printf(
          Locale.ROOT,
          "  episodic   %d active facts, %d superseded%n",
          s.episodic().active(),
          s.episodic().superseded());
      out.printf(Locale.ROOT, "  semantic   %d facts%n", s.semantic().facts());
      out.printf(
          Locale.ROOT,
          "  citations  %d waiting for the next salience flush%n",
          s.pendingCitations());
      out.println();
      out.println("Per day (UTC)  distilled  merged  superseded  promoted  expired");
      for (MemoryDay d : s.days()) {
        out.printf(
            Locale.ROOT,
            "  %-11s %10d %7d %11d %9d %8d%n",
            d.day(),
            d.distilled(),
            d.merged(),
            d.superseded(),
            d.promoted(),
            d.expired());
      }
      out.println();
      out.println("Schedules");
      if (s.schedules() != null) {
        SchedulesCommand.print(out, s.schedules());
      } else {
        out.println(
            "  unknown: "
                + (s.schedulesError() == null ? "the API did not say" : s.schedulesError()));
      }
    }
  }

  @Command(
      name = "promote",
      description = {
        "Run the promotion of strong episodic facts to semantic memory now, with the thresholds of"
            + " the daily schedule. With --dry-run nothing moves: it reports what would."
      })
  static final class Promote implements Callable<Integer> {

    @Mixin CommandContext context;

    @Option(names = "--dry-run", description = "Report the facts that would be promoted.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      context.print(context.client().promote(dryRun), this::print);
      return 0;
    }

    private void print(PrintWriter out, PromotionStarted started) {
      String workflowId = started.workflowId();
      PromotionOutcome result = started.result();
      if (result == null) {
        out.println("promotion " + workflowId + " is still running; watch it in the Temporal UI:");
        out.println("  " + context.temporalUiLink(workflowId));
        return;
      }
      long n = result.promoted();
      out.printf(
          Locale.ROOT,
          "%s %d fact%s in %d batch%s%n",
          result.dryRun() ? "would promote" : "promoted",
          n,
          n == 1 ? "" : "s",
          result.batches(),
          result.batches() == 1 ? "" : "es");
      if (n > 0) {
        out.println("  episodic ids: " + ids(result.episodicIds()));
        if (!result.dryRun()) {
          out.println("  semantic ids: " + ids(result.semanticIds()));
        }
      }
      out.println("  run: " + workflowId);
    }

    private static String ids(List<Long> ids) {
      return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
  }

  @Command(
      name = "forget",
      description = {
        "Forget one user of your tenant: delete their sessions, turns and memory facts (episodic"
            + " and semantic), and keep the questions they asked only without their words and"
            + " session. Asks first unless --yes; cannot be undone. Needs an admin key."
      })
  static final class Forget implements Callable<Integer> {

    @Mixin CommandContext context;

    @Option(
        names = "--user",
        paramLabel = "ID",
        required = true,
        description = "The user id, as sessions were opened with (POST /v1/sessions userId).")
    String user;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
      if (user.isBlank()) {
        throw context.usageError("--user must name a user");
      }
      if (!yes) {
        String prompt =
            "Forget user '"
                + TerminalSafe.cell(user)
                + "': delete their sessions, turns and memory facts, and the text of the questions"
                + " they asked? This cannot be undone. Type the user id to confirm: ";
        Optional<String> answer = context.cli().terminal().ask(prompt);
        if (answer.isEmpty()) {
          throw new CliException(
              "no terminal to confirm forgetting user '"
                  + TerminalSafe.cell(user)
                  + "'; pass --yes to forget them without asking",
              CliException.USAGE);
        }
        if (!answer.get().strip().equals(user)) {
          context.err().println("not forgotten: the answer was not the user id");
          return CliException.FAILURE;
        }
      }
      context.print(context.client().forgetUser(user), Forget::print);
      return 0;
    }

    static void print(PrintWriter out, MemoryForgotten forgotten) {
      long deleted = sum(forgotten.deleted());
      long anonymized = sum(forgotten.anonymized());
      String who = "user '" + TerminalSafe.cell(forgotten.userId()) + "'";
      if (deleted + anonymized == 0) {
        out.println("nothing was kept of " + who + ": nothing to forget");
        return;
      }
      out.println(
          "forgot "
              + who
              + ": "
              + IngestCommand.plural(deleted, "row")
              + " deleted, "
              + IngestCommand.plural(anonymized, "row")
              + " anonymized");
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"KIND", "ROWS", ""});
      add(rows, forgotten.deleted(), "deleted");
      add(rows, forgotten.anonymized(), "anonymized");
      Table.print(out, rows);
    }

    private static void add(List<String[]> rows, Map<String, Long> counts, String what) {
      counts.forEach(
          (kind, n) -> {
            if (n > 0) {
              rows.add(new String[] {kind, Long.toString(n), what});
            }
          });
    }

    private static long sum(Map<String, Long> counts) {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
