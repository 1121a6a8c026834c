package io.engram.cli;

import io.engram.contract.Drift.DriftCheckRequest;
import io.engram.contract.Drift.DriftReport;
import io.engram.contract.Drift.DriftReports;
import io.engram.contract.Drift.FeatureDrift;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Drift detection: compare a collection's recent live queries with its champion's reference. */
@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = "Check collections for drift between recent queries and the model's reference.",
    subcommands = {DriftCommand.Check.class, DriftCommand.Reports.class})
final class DriftCommand extends CommandGroup {

  @Command(
      name = "check",
      description = {
        "Compare the collection's recent live queries with its champion's reference queries now:"
            + " PSI and a two-sample KS test per feature, and the verdict (drift, no drift, or"
            + " insufficient data). The report is stored like the hourly scheduled ones. Only"
            + " reports, unless --retrain.",
        "Exit code 0 whatever the verdict; with --json, drift is true, false or null"
            + " (insufficient data)."
      })
  static final class Check implements Callable<Integer> {

    @Mixin CommandContext context;

    @Option(
        names = "--collection",
        paramLabel = "C",
        required = true,
        description = "The collection to check.")
    String collection;

    @Option(
        names = "--retrain",
        description =
            "On a drift verdict, also start the collection's retraining (trigger drift), unless"
                + " one is running.")
    boolean retrain;

    @Override
    public Integer call() throws Exception {
      context.print(
          context.client().driftCheck(new DriftCheckRequest(collection, retrain ? true : null)),
          (out, r) -> {
            print(out, r);
            if (retrain && r.retraining() == null) {
              out.println("  " + noRetraining(r));
            }
          });
      return 0;
    }
  }

  @Command(
      name = "reports",
      description =
          "The stored drift reports, newest first (scheduled checks and checks on request).")
  static final class Reports implements Callable<Integer> {

    @Mixin CommandContext context;

    @Option(
        names = "--collection",
        paramLabel = "C",
        description = "Only this collection's reports.")
    String collection;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "10",
        description = "How many reports (1-100, default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws Exception {
      if (limit < 1 || limit > 100) {
        throw context.usageError("--limit must be between 1 and 100");
      }
      context.print(context.client().driftReports(collection, limit), Reports::print);
      return 0;
    }

    static void print(PrintWriter out, DriftReports reports) {
      if (reports.reports().isEmpty()) {
        out.println("no drift reports yet");
      } else {
        for (DriftReport r : reports.reports()) {
          out.printf(
              Locale.ROOT,
              "%-24s %-20s %-18s reference %4d  recent %4d  %s (%s)%n",
              r.createdAt(),
              r.collection(),
              verdict(r),
              r.referenceQueries(),
              r.recentQueries(),
              r.modelVersion(),
              r.trigger());
        }
      }
    }
  }

  /** Why a {@code --retrain} check started no retraining: only a drift verdict starts one. */
  static String noRetraining(DriftReport r) {
    if (r.drift() == null) {
      return String.format(
          Locale.ROOT,
          "no retraining started: too few queries to judge drift (reference %d, recent %d);"
              + " ./engram retrain --collection %s retrains without a verdict",
          r.referenceQueries(),
          r.recentQueries(),
          r.collection());
    }
    return r.drift()
        ? "no retraining started (the API reported none)"
        : "no retraining started: no drift";
  }

  static String verdict(DriftReport r) {
    if (r.drift() == null) {
      return "insufficient data";
    }
    return r.drift() ? "DRIFT" : "no drift (" + r.status() + ")";
  }

  static void print(PrintWriter out, DriftReport r) {
    out.printf(Locale.ROOT, "%s: %s%n", r.collection(), verdict(r));
    out.printf(
        Locale.ROOT,
        "  model version %s; reference %d queries (%s), recent %d%n",
        r.modelVersion(),
        r.referenceQueries(),
        r.referenceSource(),
        r.recentQueries());
    if (!r.features().isEmpty()) {
      out.println();
      out.printf(
          Locale.ROOT,
          "  %-20s %8s %8s %10s %10s %10s  %s%n",
          "feature",
          "PSI",
          "KS D",
          "p-value",
          "ref mean",
          "recent",
          "status");
      for (Map.Entry<String, FeatureDrift> e : r.features().entrySet()) {
        FeatureDrift f = e.getValue();
        out.printf(
            Locale.ROOT,
            "  %-20s %8.3f %8.3f %10.2g %10.3f %10.3f  %s%n",
            e.getKey(),
            f.psi(),
            f.ksStatistic(),
            f.pValue(),
            f.referenceMean(),
            f.recentMean(),
            f.status());
      }
    }
    if (r.retraining() != null) {
      out.println();
      out.printf(
          Locale.ROOT,
          "  retraining %s: %s%n",
          r.retraining().workflowId(),
          r.retraining().outcome().replace('_', ' '));
    }
    out.printf(Locale.ROOT, "  report %d, %s%n", r.id(), r.createdAt());
  }
}
