package io.engram.cli;

import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Evaluations.Split;
import io.engram.contract.Retrainings.Gate;
import io.engram.contract.Retrainings.LabelledSet;
import io.engram.contract.Retrainings.RetrainingRequest;
import io.engram.contract.Retrainings.RetrainingStarted;
import io.engram.contract.Retrainings.RetrainingStatus;
import io.engram.contract.Retrainings.StudyView;
import io.engram.contract.StudyChart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Retrains a collection's model with the retraining workflow and follows it: the decision and its
 * reason, the hyperparameter search (trials done, pruned, failed, best so far), the registered
 * version and the quality gates, then a summary and an SVG chart of the study. With {@code --eval
 * DIR} the CLI uploads the BEIR folder's queries and qrels as blobs (as {@code eval} does) and the
 * retraining learns from them; without it the retraining reuses the labelled set the collection's
 * newest version was trained on.
 */
@Command(
    name = "retrain",
    description = {
      "Retrain a collection's model: decide whether to (the reason is stored), check the"
          + " labelled set, search the retrieval and reranker settings (a study of trials, pruned"
          + " and stopped early), register the best as a new version, evaluate it and the champion"
          + " on the held-out part, and gate it: staged when every gate passes, else rejected."
          + " Nothing is promoted here. One retraining runs per collection: a second request"
          + " follows the one running.",
      "",
      "Follows the run with a live line (phase, trials done/pruned/failed, best so far),"
          + " then prints the reason, outcome, version and each gate (✓/✗ with its reason), and"
          + " writes an SVG chart of the study (each trial's value, pruned trials as crosses,"
          + " the best value so far as a line). With --json: one object with reason, outcome,"
          + " version (a number or null), gates [{name, passed, reason}], failure, studyId,"
          + " trials, pruned, failedTrials, best and chart.",
      "",
      "Exit codes: 0 when the run ended no_op, staged or rejected; 1 when it failed"
          + " (the error line says why), --status found no retraining of the collection, or"
          + " the API failed or rate-limited a request, 2 for bad"
          + " input, 3 when the API is unreachable.",
      ""
    })
final class RetrainCommand implements Callable<Integer> {
  static final String DEFAULT_SPLIT = "train";

  /** A collection's retraining runs under this prefix and the collection's name. */
  static final String RETRAINING_PREFIX = "retrain-";

  private static final int NOT_FOUND = 404;

  @Mixin CommandContext context;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      description =
          "Collection whose model is retrained (default: the --eval folder's name, else "
              + "default). The corpus must be ingested into it already.")
  String collection;

  @Option(
      names = "--eval",
      paramLabel = "DIR",
      description =
          "A BEIR folder to learn from and be judged on: its queries.jsonl and "
              + "qrels/SPLIT.tsv are uploaded (~80%% of the query ids fit, the rest is held out). "
              + "Default: the labelled set the collection's newest version was trained on.")
  Path eval;

  @Option(
      names = "--split",
      paramLabel = "SPLIT",
      description = "qrels split of --eval: train, dev or test (default: " + DEFAULT_SPLIT + ").")
  String split;

  @Option(
      names = "--force",
      description = "Retrain even when the decision would say the model is still valid.")
  boolean force;

  @Option(
      names = "--params",
      paramLabel = "NAME=VALUE[,NAME=VALUE...]",
      description =
          "Pin parameters instead of searching: that configuration is trained and gated "
              + "without a study (repeatable). Names: mode (hybrid|dense), denseWeight (0.2-0.95), "
              + "candidates (30-200, step 10), maxLexemeShare (0.01|0.02|0.05|0.1), "
              + "reranker (none|champion|trained), l2 (0.001-10), negativeDepth (10-100, step 10); "
              + "unpinned ones keep the champion's values. Index parameters embeddingModel "
              + "(bge-small-en-v1.5-q|all-minilm-l6-v2-q), chunkSize (64-100000) and "
              + "chunkOverlap (0-50000, below the size) give the candidate an index of its own, "
              + "rebuilt from the collection's documents with that model and chunking "
              + "(which takes as long as ingesting them); the search, or the other pinned "
              + "parameters, then work on it. The API checks names and ranges.")
  List<String> params = new ArrayList<>();

  @Option(
      names = "--chart",
      paramLabel = "FILE",
      description =
          "Where to write the SVG chart of the study (default: "
              + "retrain-COLLECTION-study-ID.svg in the working directory, when the run searched).")
  Path chart;

  @Option(
      names = "--no-wait",
      description =
          "Start the retraining (or find the running one), print its workflow id and "
              + "return without following it; retrain --collection NAME --status reports it later.")
  boolean noWait;

  @Option(
      names = "--status",
      description =
          "Start nothing: report the collection's latest retraining, following it while it runs"
              + " (with --no-wait: where it stands now), then print its result as a run does.")
  boolean status;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = context.err();
    Map<String, String> pinned = pinnedParams();
    Split chosenSplit = chosenSplit();
    if (noWait && chart != null) {
      throw context.usageError("--chart needs the run to end; leave out --no-wait");
    }
    if (status && (eval != null || force || !pinned.isEmpty() || split != null)) {
      throw context.usageError(
          "--status starts nothing, so --eval, --split, --force and --params do not apply;"
              + " leave them out");
    }
    if (status) {
      String coll = collection != null ? collection : "default";
      String workflowId = RETRAINING_PREFIX + coll;
      try {
        if (noWait) {
          Reply<RetrainingStatus> now = context.client().retraining(workflowId);
          context.print(now, (out, r) -> printTable(out, r, coll, null, null));
          return 0;
        }
        return report(context.client(), workflowId, coll, false);
      } catch (CliException e) {
        if (e.httpStatus() == NOT_FOUND) {
          throw collectionExists(coll) ? noRetrainingYet(coll) : noSuchCollection(coll);
        }
        throw e;
      }
    }
    BeirFolder folder = null;
    String dataset = null;
    if (eval != null) {
      folder = new BeirFolder(eval, chosenSplit.wireName());
      folder.requireFiles(" (pick another split with --split)");
      dataset = folder.dataset();
    }
    String coll = collection != null ? collection : dataset != null ? dataset : "default";

    EngramClient client = context.client();
    LabelledSet labelled = null;
    if (eval != null) {
      labelled =
          new LabelledSet(
              dataset,
              chosenSplit,
              EvalCommand.upload(client, folder.queries()),
              EvalCommand.upload(client, folder.qrels()));
    }
    RetrainingStarted started =
        client.startRetraining(
            new RetrainingRequest(
                coll, force ? Boolean.TRUE : null, labelled, pinned.isEmpty() ? null : pinned));
    if (started.attached()) {
      err.println(
          "note: a retraining of "
              + coll
              + " was already running; following it instead of starting another (its own"
              + " labelled set, --force and --params apply, not this command's)");
    }
    err.println("retraining " + coll + " in " + context.workflowLine(started.workflowId()));
    err.flush();
    if (noWait) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("workflowId", started.workflowId());
      json.put("runId", started.runId());
      json.put("collection", coll);
      json.put("attached", started.attached());
      context.print(
          json,
          out ->
              out.println(
                  "started "
                      + started.workflowId()
                      + "; its status: ./engram retrain --collection "
                      + coll
                      + " --status"));
      return 0;
    }
    return report(client, started.workflowId(), coll, started.attached());
  }

  /** Follows the retraining until it ends, writes its study's chart and prints its result. */
  private int report(EngramClient client, String workflowId, String coll, boolean attached)
      throws Exception {
    PrintWriter err = context.err();
    Reply<RetrainingStatus> last =
        WorkflowPoller.follow(
            "retraining",
            () -> client.retraining(workflowId),
            status -> new WorkflowPoller.Progress(status.status(), 0, 0, describe(status)),
            err);
    RetrainingStatus result = last.value();
    StudyView study = null;
    Path chartFile = null;
    if (result.studyId() != null) {
      try {
        study = client.study(result.studyId()).value();
        // --status starts nothing, and writes nothing either unless a chart is asked for.
        chartFile =
            status && chart == null
                ? null
                : StudyChart.write(
                    study,
                    chart != null
                        ? chart
                        : Path.of("retrain-" + coll + "-study-" + result.studyId() + ".svg"));
        if (chartFile != null) {
          err.println("study chart: " + chartFile);
        }
      } catch (CliException | IOException e) {
        err.println("warning: no chart of study " + result.studyId() + ": " + e.getMessage());
      }
    } else if (chart != null) {
      err.println("note: no chart: this retraining ran no search");
    }
    err.flush();
    StudyView shown = study;
    Path written = chartFile;
    context.print(
        summary(result, coll, attached, written),
        out -> printTable(out, result, coll, shown, written));
    if (failed(result)) {
      throw new CliException(
          "the retraining failed"
              + (result.failure() == null ? "" : ": " + result.failure())
              + nextStep(result),
          CliException.FAILURE);
    }
    return 0;
  }

  private Map<String, String> pinnedParams() {
    try {
      return PinnedParams.parse(params);
    } catch (IllegalArgumentException e) {
      throw context.usageError(e.getMessage());
    }
  }

  private Split chosenSplit() {
    if (split == null) {
      return Split.of(DEFAULT_SPLIT).orElseThrow();
    }
    if (eval == null) {
      throw context.usageError("--split chooses the qrels of --eval DIR; give --eval too");
    }
    return Split.of(split)
        .orElseThrow(
            () ->
                context.usageError(
                    "--split must be one of " + String.join(", ", EvalCommand.SPLITS)));
  }

  /**
   * What {@code --status} says when the API knows no retraining of the collection: a failure (exit
   * 1, as when the run failed), not a usage error, with the command that starts one.
   */
  static CliException noRetrainingYet(String collection) {
    return new CliException(
        "no retraining of "
            + collection
            + " yet (none was started, or its history has expired); start one with"
            + " ./engram retrain --collection "
            + collection
            + " [--eval DIR] [--force]",
        CliException.FAILURE);
  }

  /** Whether the API knows the caller's collection {@code name}; asked only on a 404. */
  private boolean collectionExists(String name) {
    try {
      context.client().collection(name);
      return true;
    } catch (CliException e) {
      if (e.httpStatus() == NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** What {@code --status} says for a collection that does not exist: nothing to retrain. */
  static CliException noSuchCollection(String collection) {
    return new CliException(
        "no collection "
            + collection
            + " (./engram collections list shows them; ingest into one to create it)",
        CliException.FAILURE);
  }

  /** Whether the run failed: its outcome says so, or it ended without completing. */
  static boolean failed(RetrainingStatus r) {
    return "failed".equals(r.outcome()) || !"COMPLETED".equals(r.status());
  }

  private static String nextStep(RetrainingStatus r) {
    return r.studyId() == null ? "" : " (the study's trials: GET /v1/studies/" + r.studyId() + ")";
  }

  /** The live line: phase, reason once decided, trials so far and the best value. */
  static String describe(RetrainingStatus s) {
    StringBuilder line = new StringBuilder(s.phase() == null ? "" : s.phase());
    if (s.reason() != null) {
      line.append(" (").append(s.reason()).append(')');
    }
    if (s.studyId() != null || s.trials() > 0) {
      line.append(
          String.format(
              Locale.ROOT,
              " — trials %d done, %d pruned, %d failed",
              s.trials(),
              s.pruned(),
              s.failed()));
    }
    if (s.best() != null) {
      line.append(String.format(Locale.ROOT, ", best %.4f", s.best()));
    }
    return line.toString();
  }

  /** The {@code --json} document: the run's result, its search and where the chart went. */
  static Map<String, Object> summary(
      RetrainingStatus r, String collection, boolean attached, Path chart) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("workflowId", r.workflowId());
    json.put("runId", r.runId());
    json.put("collection", collection);
    json.put("attached", attached);
    json.put("status", r.status());
    json.put("reason", r.reason());
    json.put("outcome", r.outcome());
    json.put("version", r.version());
    List<Map<String, Object>> gates = new ArrayList<>();
    for (Gate g : r.gates()) {
      Map<String, Object> gate = new LinkedHashMap<>();
      gate.put("name", g.name());
      gate.put("passed", g.passed());
      gate.put("reason", g.reason());
      gates.add(gate);
    }
    json.put("gates", gates);
    json.put("failure", r.failure());
    json.put("studyId", r.studyId());
    json.put("trials", r.trials());
    json.put("pruned", r.pruned());
    json.put("failedTrials", r.failed());
    json.put("best", r.best());
    json.put("chart", chart == null ? null : chart.toString());
    json.put("rollout", r.rollout());
    return json;
  }

  static void printTable(
      PrintWriter out, RetrainingStatus r, String collection, StudyView study, Path chart) {
    row(out, "collection", collection);
    row(out, "workflow", r.workflowId() + " (" + r.status() + ")");
    row(out, "decided", r.reason() == null ? "no decision" : r.reason());
    row(out, "searched", search(r, study));
    row(out, "registered", r.version() == null ? "nothing" : "v" + r.version());
    if (r.gates().isEmpty()) {
      row(out, "gates", "none ran");
    } else {
      long passed = r.gates().stream().filter(Gate::passed).count();
      row(out, "gates", passed + " of " + r.gates().size() + " passed");
      int width = r.gates().stream().mapToInt(g -> g.name().length()).max().orElse(0);
      for (Gate g : r.gates()) {
        out.printf(
            Locale.ROOT,
            "  %s %-" + width + "s  %s%n",
            g.passed() ? "✓" : "✗",
            g.name(),
            g.reason() == null ? "" : g.reason());
      }
    }
    if (r.outcome() == null) {
      // Still running (or ended without one): where it stands, not an empty outcome.
      row(out, "phase", (r.phase() == null ? "starting" : r.phase()) + " (" + r.status() + ")");
    } else {
      row(out, "outcome", r.outcome());
    }
    String next = afterNoOp(r);
    if (next != null) {
      row(out, "next", next);
    }
    if (r.rollout() != null) {
      row(
          out,
          "rollout",
          r.rollout() + " started (./engram rollout status " + r.rollout() + " --watch)");
    }
    if (r.failure() != null) {
      row(out, "failure", r.failure());
    }
    if (chart != null) {
      row(out, "chart", chart.toString());
    }
    if (r.outcome() == null) {
      out.printf(
          Locale.ROOT,
          "retrain status=%s phase=%s reason=%s%n",
          r.status(),
          r.phase() == null ? "starting" : r.phase(),
          r.reason() == null ? "undecided" : r.reason());
    } else {
      out.printf(
          Locale.ROOT,
          "retrain outcome=%s version=%s reason=%s%n",
          r.outcome(),
          r.version() == null ? "none" : r.version().toString(),
          r.reason());
    }
  }

  /** What a user can do after a run that decided not to retrain; null after any other run. */
  static String afterNoOp(RetrainingStatus r) {
    if (!"no_op".equals(r.outcome()) || r.reason() == null) {
      return null;
    }
    return switch (r.reason()) {
      case "model_still_valid" ->
          "nothing new to learn from since the champion (or this data was already tried);"
              + " --force retrains anyway";
      case "no_labelled_set" ->
          "give the queries to learn from: --eval DIR (a BEIR folder with queries.jsonl and"
              + " qrels/<split>.tsv); later runs reuse it";
      default -> null;
    };
  }

  private static String search(RetrainingStatus r, StudyView study) {
    if (r.studyId() == null) {
      return "no search";
    }
    StringBuilder s = new StringBuilder("study ").append(r.studyId());
    if (study != null) {
      s.append(" (").append(study.sampler()).append(", ").append(study.state());
      if (study.stopReason() != null) {
        s.append(": ").append(study.stopReason());
      }
      s.append(')');
    }
    s.append(
        String.format(
            Locale.ROOT, ", %d trials: %d pruned, %d failed", r.trials(), r.pruned(), r.failed()));
    if (r.best() != null) {
      s.append(String.format(Locale.ROOT, ", best %.4f", r.best()));
    }
    return s.toString();
  }

  private static void row(PrintWriter out, String name, String value) {
    out.printf(Locale.ROOT, "%-12s %s%n", name, value);
  }
}
