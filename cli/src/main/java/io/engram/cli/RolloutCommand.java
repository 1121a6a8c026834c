package io.engram.cli;

import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Rollouts;
import io.engram.contract.Rollouts.RolloutList;
import io.engram.contract.Rollouts.RolloutView;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Progressive delivery: start a rollout of a registered version, watch it, approve, abort, pause,
 * resume or undo it. Everything goes through {@code /v1/rollouts}.
 */
@Command(
    name = "rollout",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = {
      "Roll a registered model version out: shadow (a share of live queries mirrored to it, off"
          + " the request path), canary steps (a growing share of conversations, another share"
          + " given both rankings interleaved), judged on errors, p95 latency, empty results and a"
          + " sequential test of the interleaved clicks; then promote (champion moves, the old one"
          + " becomes previous), roll back (the candidate is archived, unless it has served as champion before) or keep the champion (no"
          + " difference within the budget). A rollout is named rollout-<collection>-v<N>."
    },
    subcommands = {
      RolloutCommand.Start.class,
      RolloutCommand.Status.class,
      RolloutCommand.Approve.class,
      RolloutCommand.Abort.class,
      RolloutCommand.Pause.class,
      RolloutCommand.Resume.class,
      RolloutCommand.Undo.class
    })
final class RolloutCommand extends CommandGroup {
  static final Duration WATCH_INTERVAL = Duration.ofSeconds(2);

  /** The audit row kind of an undo ({@code RolloutEvents.UNDO} in core). */
  static final String UNDO_EVENT = "undo";

  /** The status of a rollout whose promotion was undone ({@code Rollout.UNDONE} in core). */
  static final String UNDONE = "undone";

  /** What every subcommand can do: follow a rollout until it is decided. */
  abstract static class Subcommand extends VersionSubcommand {
    /**
     * Polls the rollout until it is decided, printing a line whenever where it stands changes, then
     * the decided rollout. With {@code --json} stdout holds that one document only: the lines are
     * progress then and go to stderr, as every command's progress does.
     */
    int watch(String id) throws Exception {
      PrintWriter progress = progress();
      String shown = null;
      // A rollout lasts hours: an API restart or a rate limit meanwhile is waited out.
      WorkflowPoller.Outages outages = new WorkflowPoller.Outages(context.err());
      while (true) {
        Reply<RolloutView> reply = outages.attempt(() -> context.client().rollout(id));
        if (reply == null) {
          continue;
        }
        RolloutView r = reply.value();
        String line = line(r);
        if (!line.equals(shown)) {
          progress.println(line);
          progress.flush();
          shown = line;
        }
        if (!r.status().equals("running") && !r.status().equals("starting")) {
          context.print(reply, RolloutCommand::print);
          return r.status().equals("refused") ? 1 : 0;
        }
        Thread.sleep(WATCH_INTERVAL.toMillis());
      }
    }

    /** Where a watch's live lines go: stdout for a person, stderr beside {@code --json}. */
    PrintWriter progress() {
      return context.cli().json() ? context.err() : context.out();
    }
  }

  /**
   * The {@code --reason} that {@code start} and every action take: an optional note kept in the
   * rollout's audit. Mixed in with {@code @Mixin}.
   */
  static final class Reason {
    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit.")
    String text;
  }

  /** An action on one rollout, named by its id. */
  abstract static class Action extends Subcommand {
    @Parameters(
        index = "0",
        paramLabel = "ID",
        description = "The rollout, e.g. rollout-scifact-v2.")
    String id;

    @Mixin Reason reason;

    /** The action the API takes: the subcommand's name. */
    String action() {
      return context.command.name();
    }

    /**
     * Whether the rollout already stood where the action puts it, read before sending it: pause and
     * resume say so rather than "sent" when they changed nothing. Null for other actions.
     */
    Boolean alreadyDone(EngramClient client) {
      return null;
    }

    @Override
    public Integer call() throws Exception {
      EngramClient client = context.client();
      Boolean already = alreadyDone(client);
      Reply<RolloutView> reply = client.rolloutAction(id, action(), reason.text);
      context.print(
          reply,
          (out, r) -> {
            out.printf(Locale.ROOT, "%s: %s%n", id, outcome(already, r));
            print(out, r);
          });
      return 0;
    }

    /** What the action did, as the rollout it answered with shows it. */
    String outcome(Boolean already, RolloutView after) {
      return action() + " sent";
    }
  }

  /** Pause and resume: signals that change only whether the rollout is paused. */
  abstract static class PauseSwitch extends Action {
    /** Whether the action leaves the rollout paused. */
    abstract boolean pauses();

    @Override
    Boolean alreadyDone(EngramClient client) {
      return client.rollout(id).value().paused() == pauses();
    }

    @Override
    String outcome(Boolean already, RolloutView after) {
      if (Boolean.TRUE.equals(already)) {
        return (pauses() ? "already paused" : "was not paused") + "; nothing changed";
      }
      if (after.paused() == pauses()) {
        return pauses() ? "paused" : "resumed";
      }
      // The API waits a while for the workflow to take the signal; it had not yet.
      return action() + " sent (not taken yet: rollout status " + id + " shows when it is)";
    }
  }

  @Command(
      name = "start",
      description = {
        "Start rolling --version N of --collection out against its champion.",
        "Prints the rollout's id; with --watch follows it until it is decided (exit 1 if it was"
            + " refused). Timings and thresholds come from the profile (ENGRAM_ROLLOUT_*); the"
            + " options below change them for this rollout."
      })
  static final class Start extends Subcommand {
    @Mixin ModelsCommand.CollectionOption collection;

    @Mixin ModelsCommand.VersionOption version;

    @Mixin Reason reason;

    @Option(
        names = "--steps",
        paramLabel = "SHARES",
        split = ",",
        description = "Canary shares of new conversations, increasing, e.g. 0.05,0.25,0.5.")
    java.util.List<Double> steps;

    @Option(names = "--shadow-bake", paramLabel = "SECONDS", description = "Least time in shadow.")
    Long shadowBake;

    @Option(
        names = "--shadow-min-queries",
        paramLabel = "N",
        description =
            "Shadow comparisons needed before shadow may end (a small collection's"
                + " rollout needs fewer).")
    Integer shadowMinQueries;

    @Option(names = "--step-bake", paramLabel = "SECONDS", description = "Least time per step.")
    Long stepBake;

    @Option(
        names = "--step-min-queries",
        paramLabel = "N",
        description = "Queries the candidate must serve in a canary step before it may end.")
    Integer stepMinQueries;

    @Option(
        names = "--time-budget",
        paramLabel = "SECONDS",
        description = "When an undecided rollout ends keeping the champion.")
    Long timeBudget;

    @Option(names = "--watch", description = "Follow the rollout until it is decided.")
    boolean watch;

    @Override
    public Integer call() throws Exception {
      Rollouts.Plan plan = null;
      if (steps != null
          || shadowBake != null
          || shadowMinQueries != null
          || stepBake != null
          || stepMinQueries != null
          || timeBudget != null) {
        plan =
            new Rollouts.Plan(
                null,
                shadowMinQueries,
                millis(shadowBake),
                steps,
                millis(stepBake),
                stepMinQueries,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                millis(timeBudget),
                null);
      }
      Reply<RolloutView> reply =
          context
              .client()
              .startRollout(
                  new Rollouts.StartRollout(collection.name, version.number, reason.text, plan));
      String id = reply.value().id();
      if (watch) {
        PrintWriter progress = progress();
        progress.printf(Locale.ROOT, "started %s; following it (Ctrl-C leaves it running)%n", id);
        progress.flush();
        return watch(id);
      }
      context.print(
          reply,
          (out, r) -> {
            out.printf(Locale.ROOT, "started %s%n", id);
            out.printf(Locale.ROOT, "  follow it:  ./engram rollout status %s --watch%n", id);
          });
      return 0;
    }

    private static Long millis(Long seconds) {
      return seconds == null ? null : seconds * 1000;
    }
  }

  @Command(
      name = "status",
      description = {
        "Without ID: the rollouts, newest first. With ID: where it stands (phase, step, shares,"
            + " per-arm figures, the sequential test, the decision) and its audit.",
        "--watch follows a running rollout until it is decided."
      })
  static final class Status extends Subcommand {
    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "ID",
        description =
            "The rollout: its id (rollout-scifact-v2, the newest of that version) or its number.")
    String id;

    @Option(names = "--collection", paramLabel = "NAME", description = "Only this collection's.")
    String collection;

    @Option(names = "--watch", description = "Follow the rollout until it is decided.")
    boolean watch;

    @Override
    public Integer call() throws Exception {
      if (id == null) {
        EngramClient client = context.client();
        Reply<RolloutList> reply = client.rollouts(collection, 20);
        context.print(reply.json().path("rollouts"), out -> list(out, reply.value(), client));
        return 0;
      }
      if (watch) {
        return watch(id);
      }
      context.print(context.client().rollout(id), RolloutCommand::print);
      return 0;
    }

    /**
     * One line per rollout under a header, each with its number: the id names only the newest
     * rollout of a version, the number any of them ({@code rollout status N}). The list carries no
     * audit, so an undone rollout's undo reason is read from the rollout itself.
     */
    private static void list(PrintWriter out, RolloutList list, EngramClient client) {
      if (list.rollouts().isEmpty()) {
        out.println("no rollouts yet");
        return;
      }
      out.println(String.format(Locale.ROOT, "%4s %-28s %-12s %s", "#", "id", "status", "detail"));
      for (RolloutView r : list.rollouts()) {
        String undo = null;
        if (UNDONE.equals(r.status()) && r.rolloutId() != null) {
          try {
            undo = undoDetail(client.rollout(r.rolloutId().toString()).value());
          } catch (CliException e) {
            // The line still says it was undone; rollout status N shows the audit.
          }
        }
        out.println(line(r, undo));
      }
    }
  }

  @Command(
      name = "approve",
      description =
          "Promote now: the approval a winning candidate waits for in the prod profile (before"
              + " the test has decided, the operator's call to skip ahead).")
  static final class Approve extends Action {}

  @Command(
      name = "abort",
      description =
          "Roll back now: the candidate is archived with the reason, unless it has served as"
              + " champion before (then it stays registered, the collection's way back).")
  static final class Abort extends Action {}

  @Command(
      name = "pause",
      description = "Hold the rollout: routing stays as it is, nothing advances or decides.")
  static final class Pause extends PauseSwitch {
    @Override
    boolean pauses() {
      return true;
    }
  }

  @Command(name = "resume", description = "Let a paused rollout go on.")
  static final class Resume extends PauseSwitch {
    @Override
    boolean pauses() {
      return false;
    }
  }

  @Command(
      name = "undo",
      description =
          "Undo a promotion in one step: champion moves back to the version the rollout started"
              + " from (its index kept for the retention period).")
  static final class Undo extends Action {}

  /** One line: number, id, status, phase and step, shares, the latest verdict. */
  static String line(RolloutView r) {
    return line(r, undoDetail(r));
  }

  /**
   * One line; {@code undo} is what the undo of an undone rollout said (its audit's undo row), shown
   * in place of the decision it undid, or null.
   */
  static String line(RolloutView r, String undo) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%4s %-28s %-12s",
            r.rolloutId() == null ? "-" : r.rolloutId().toString(),
            r.id(),
            r.status()));
    if ("running".equals(r.status())) {
      b.append(' ').append(r.phase());
      if (r.step() > 0) {
        b.append(' ').append(r.step());
      }
      if (r.paused()) {
        b.append(" (paused)");
      }
      Map<String, Double> shares = r.shares();
      if (shares != null) {
        b.append(
            String.format(
                Locale.ROOT,
                "  shadow %s candidate %s interleaved %s",
                percent(shares.get("shadow")),
                percent(shares.get("candidate")),
                percent(shares.get("interleaved"))));
      }
      if (r.lastCheck() != null) {
        b.append("  ").append(r.lastCheck().get("verdict")).append(": ");
        b.append(r.lastCheck().get("reason"));
      }
    } else if (undo != null) {
      b.append(' ').append(EngramClient.shorten(undo, 100));
    } else if (r.decisionReason() != null) {
      b.append(' ')
          .append(UNDONE.equals(r.status()) ? "undid the promotion: " : "")
          .append(EngramClient.shorten(r.decisionReason(), 100));
    }
    return b.toString();
  }

  /** The newest undo row of the rollout's audit, when it has one (a list's rollouts have none). */
  static String undoDetail(RolloutView r) {
    if (r.events() == null) {
      return null;
    }
    String detail = null;
    for (Rollouts.Event e : r.events()) {
      if (UNDO_EVENT.equals(e.kind())) {
        detail = e.detail();
      }
    }
    return detail;
  }

  static void print(PrintWriter out, RolloutView r) {
    out.printf(
        Locale.ROOT,
        "%s: %s/v%d against v%s — %s%n",
        r.id(),
        r.collection(),
        r.candidate(),
        r.champion() == null ? "?" : r.champion(),
        r.status());
    if (r.phase() != null) {
      out.printf(
          Locale.ROOT,
          "  phase %s%s%s, started %s by %s (%s)%n",
          r.phase(),
          r.step() > 0 ? " step " + r.step() : "",
          r.paused() ? " (paused)" : "",
          r.startedAt(),
          r.actor(),
          r.trigger());
    }
    if (r.decisionReason() != null) {
      out.printf(Locale.ROOT, "  decision: %s%n", r.decisionReason());
    }
    String undo = undoDetail(r);
    if (undo != null) {
      out.printf(Locale.ROOT, "  undo: %s%n", undo);
    }
    Map<String, Object> check = r.lastCheck();
    if (check != null) {
      out.printf(Locale.ROOT, "  last check: %s — %s%n", check.get("verdict"), check.get("reason"));
      out.printf(
          Locale.ROOT,
          "  candidate exposure: %s of queries%n",
          percent(number(check.get("exposure"))));
      if (check.get("total") instanceof Map<?, ?> total) {
        out.printf(
            Locale.ROOT,
            "  %-12s %8s %7s %7s %10s%n",
            "arm",
            "queries",
            "errors",
            "empty",
            "p95 ms");
        for (Object value : total.values()) {
          if (value instanceof Map<?, ?> arm && number(arm.get("queries")) > 0) {
            out.printf(
                Locale.ROOT,
                "  %-12s %8.0f %7.0f %7.0f %10s%n",
                arm.get("arm"),
                number(arm.get("queries")),
                number(arm.get("errors")),
                number(arm.get("empty")),
                arm.get("p95Ms") == null
                    ? "-"
                    : String.format(Locale.ROOT, "%.1f", number(arm.get("p95Ms"))));
          }
        }
      }
      if (check.get("test") instanceof Map<?, ?> test) {
        out.printf(
            Locale.ROOT,
            "  sequential test: %.0f wins, %.0f losses, ln Λ %.2f (decides at %.2f): %s%n",
            number(test.get("wins")),
            number(test.get("losses")),
            number(test.get("logLikelihoodRatio")),
            number(test.get("threshold")),
            test.get("verdict"));
      }
    }
    if (r.events() != null && !r.events().isEmpty()) {
      out.println("  audit:");
      for (Rollouts.Event e : r.events()) {
        out.printf(Locale.ROOT, "    %s  %-8s %s (%s)%n", e.at(), e.kind(), e.detail(), e.actor());
      }
    }
  }

  private static double number(Object value) {
    return value instanceof Number n ? n.doubleValue() : 0;
  }

  static String percent(Double share) {
    if (share == null) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.4g%%", 100 * share).replaceAll("\\.?0+%$", "%");
  }
}
