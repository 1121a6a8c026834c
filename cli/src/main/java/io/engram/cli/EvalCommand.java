package io.engram.cli;

import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Evaluations;
import io.engram.contract.Evaluations.AnswerMetrics;
import io.engram.contract.Evaluations.EvaluationRequest;
import io.engram.contract.Evaluations.EvaluationStarted;
import io.engram.contract.Evaluations.EvaluationStatus;
import io.engram.contract.Evaluations.Part;
import io.engram.contract.Evaluations.Split;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Retrieval quality on a BEIR-format folder, measured by the evaluation workflow: the CLI uploads
 * {@code queries.jsonl} and {@code qrels/SPLIT.tsv} as blobs (a claim check), starts the workflow,
 * follows it, and prints NDCG@10, MRR@10, Recall@10/@100 and retrieval latency as stored in {@code
 * eval_runs}. The corpus must already be ingested into the collection ({@code ./engram eval} does
 * that first). With {@code --answers N} the worker's LLM also answers a sample of the queries, and
 * the advisory answer-level metrics are printed as a separate block before the final line.
 */
@Command(
    name = "eval",
    description = {
      "Evaluate retrieval on a BEIR folder (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv).",
      "The corpus must be ingested into the collection first (./engram eval DIR does it).",
      "With --answers N the worker's LLM also answers N queries: faithfulness, answer",
      "relevancy and context recall are printed as a separate, advisory block.",
      "Ends with one line: eval ndcg@10=… mrr@10=… recall@100=… p50_ms=… p95_ms=… queries=…"
    })
final class EvalCommand implements Callable<Integer> {
  static final List<String> SPLITS = Arrays.stream(Split.values()).map(Split::wireName).toList();
  static final List<String> PARTS = Arrays.stream(Part.values()).map(Part::wireName).toList();

  @Mixin CommandContext context;

  @Parameters(paramLabel = "DIR", description = "BEIR folder.")
  Path dir;

  @Option(
      names = "--split",
      paramLabel = "SPLIT",
      description = "qrels split: test, train or dev (default: test, else train when absent).")
  String split;

  @Option(
      names = "--part",
      paramLabel = "PART",
      defaultValue = "all",
      description =
          "Part of the split: all, fit or held-out (default: ${DEFAULT-VALUE}). The held-out part"
              + " is a fixed ~20%% of the query ids that nothing is fitted on.")
  String part;

  @Option(
      names = "--model",
      paramLabel = "VERSION",
      description =
          "Model version to evaluate: a registered version (v3) or an index version's name"
              + " (default: the collection's champion).")
  String model;

  @Option(
      names = "--model-version",
      paramLabel = "N",
      converter = ModelsCommand.VersionNumber.class,
      description =
          "Registered model version N of the collection to evaluate, serving or not"
              + " (./engram models list shows them); the same as --model vN.")
  Integer modelVersion;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      description = "Collection holding the corpus (default: the folder's name).")
  String collection;

  @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N queries.")
  Integer limit;

  @Option(
      names = "--answers",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Also answer N of the evaluated queries (a fixed sample by query id) with the worker's"
              + " LLM and report advisory answer-level metrics: faithfulness, answer relevancy,"
              + " context recall (default: ${DEFAULT-VALUE}, off; at most "
              + MAX_ANSWERS
              + "). Needs an LLM in the worker: ./engram up --with-llm.")
  int answers;

  @Option(
      names = "--check",
      hidden = true,
      description =
          "Check the options, the folder and the model version asked for, then print the corpus"
              + " and the collection, tab-separated, and exit: what ./engram eval does before it"
              + " ingests the corpus.")
  boolean check;

  /** The API's limit: a small local model takes up to half a minute per answer. */
  static final int MAX_ANSWERS = Evaluations.MAX_ANSWERS;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = context.err();
    validateOptions();
    BeirFolder folder = new BeirFolder(dir, split == null ? "test" : split);
    if (split == null && Files.isDirectory(dir) && !Files.isReadable(folder.qrels())) {
      folder = new BeirFolder(dir, "train");
      if (!check) { // said once, by the evaluation itself
        err.println("note: no qrels/test.tsv in " + dir + "; evaluating the train split");
      }
    }
    folder.requireFiles("");
    String dataset = folder.dataset();
    String coll = collection != null ? collection : dataset;

    EngramClient client = context.client();
    if (check) {
      Path corpus = dir.resolve("corpus.jsonl");
      if (!Files.isReadable(corpus)) {
        throw new CliException(
            "no corpus.jsonl in " + dir + " (a BEIR folder is expected)", CliException.USAGE);
      }
      requireVersion(client, coll);
      context.out().println(corpus.toAbsolutePath() + "\t" + coll);
      context.out().flush();
      return 0;
    }
    String queriesBlob = upload(client, folder.queries());
    String qrelsBlob = upload(client, folder.qrels());
    EvaluationStarted started =
        client.startEvaluation(
            new EvaluationRequest(
                dataset,
                Split.of(folder.split()).orElseThrow(),
                Part.of(part).orElseThrow(),
                coll,
                modelVersion != null ? "v" + modelVersion : model,
                queriesBlob,
                qrelsBlob,
                limit,
                answers == 0 ? null : answers));
    err.println("evaluating in " + context.workflowLine(started.workflowId()));
    err.flush();

    Reply<EvaluationStatus> last =
        WorkflowPoller.follow(
            "evaluating",
            () -> client.evaluation(started.workflowId()),
            status ->
                new WorkflowPoller.Progress(
                    status.status(), status.done(), status.total(), describe(status)),
            err);
    EvaluationStatus result = last.value();
    if (!"COMPLETED".equals(result.status())) {
      throw new CliException(
          "the evaluation workflow ended with status "
              + result.status()
              + (result.failure() == null ? "" : ": " + result.failure()),
          CliException.FAILURE);
    }
    // --json prints the API's document, named as every other command's --json names its figures.
    context.print(result, out -> printTable(out, result));
    return 0;
  }

  /**
   * Refuses a registered version the collection does not have, before anything is ingested. A
   * collection that does not exist yet will have version 1 only, once its ingestion registers it. A
   * key that may not read collections or models (an {@code ingest}-only key) is not refused here:
   * the evaluation's own start checks the version.
   */
  private void requireVersion(EngramClient client, String coll) {
    Integer asked =
        modelVersion != null
            ? modelVersion
            : model != null && model.matches("v[1-9][0-9]{0,8}")
                ? Integer.valueOf(model.substring(1))
                : null;
    if (asked == null) {
      return;
    }
    boolean registered;
    try {
      boolean exists =
          client.collections().value().collections().stream().anyMatch(c -> c.name().equals(coll));
      registered =
          exists
              ? client.models(coll).value().versions().stream().anyMatch(v -> v.version() == asked)
              : asked == 1;
    } catch (CliException e) {
      if (e.httpStatus() == 403) {
        return;
      }
      throw e;
    }
    if (!registered) {
      throw new CliException(
          "collection "
              + coll
              + " has no model version "
              + asked
              + "; ./engram models list --collection "
              + coll
              + " shows the ones it has (a new collection gets version 1 at its first ingestion)",
          CliException.USAGE);
    }
  }

  private void validateOptions() {
    if (split != null && Split.of(split).isEmpty()) {
      throw context.usageError("--split must be one of " + String.join(", ", SPLITS));
    }
    if (Part.of(part).isEmpty()) {
      throw context.usageError("--part must be one of " + String.join(", ", PARTS));
    }
    if (model != null && modelVersion != null) {
      throw context.usageError("give --model or --model-version, not both");
    }
    context.requireCollectionName("--collection", collection);
    if (limit != null && limit < 1) {
      throw context.usageError("--limit must be positive");
    }
    if (answers < 0 || answers > MAX_ANSWERS) {
      throw context.usageError("--answers must be between 0 and " + MAX_ANSWERS);
    }
  }

  /** Uploads a file as a content-addressed blob unless the API already holds it. */
  static String upload(EngramClient client, Path file) throws IOException {
    LocalFiles.Hashed hashed = LocalFiles.hash(file);
    if (!client.missingBlobs(List.of(hashed.sha256())).isEmpty()) {
      client.putBlob(hashed.sha256(), file);
    }
    return hashed.sha256();
  }

  private static String describe(EvaluationStatus status) {
    if ("answering".equals(status.phase()) && status.answers() != null) {
      AnswerMetrics a = status.answers();
      return String.format(
          Locale.ROOT,
          "answering %d/%d with %s%s",
          a.done(),
          a.sample(),
          a.model(),
          a.fallback() == 0 ? "" : ", " + a.fallback() + " fallback");
    }
    if (status.ndcgAt10() == null) {
      return status.phase() == null ? "" : status.phase();
    }
    return String.format(Locale.ROOT, "ndcg@10 %.4f so far", status.ndcgAt10());
  }

  static void printTable(PrintWriter out, EvaluationStatus r) {
    out.printf(Locale.ROOT, "%-12s %s%n", "dataset", r.dataset());
    out.printf(Locale.ROOT, "%-12s %s%n", "collection", r.collection());
    out.printf(Locale.ROOT, "%-12s %s%n", "model", r.modelVersion());
    out.printf(Locale.ROOT, "%-12s %s%n", "split", r.split());
    out.printf(Locale.ROOT, "%-12s %s (%d queries)%n", "part", r.part(), r.total());
    out.printf(Locale.ROOT, "%-12s %.4f%n", "ndcg@10", r.ndcgAt10());
    out.printf(Locale.ROOT, "%-12s %.4f%n", "mrr@10", r.mrrAt10());
    out.printf(Locale.ROOT, "%-12s %.4f%n", "recall@10", r.recallAt10());
    out.printf(Locale.ROOT, "%-12s %.4f%n", "recall@100", r.recallAt100());
    out.printf(Locale.ROOT, "%-12s %.1f%n", "p50_ms", r.p50Ms());
    out.printf(Locale.ROOT, "%-12s %.1f%n", "p95_ms", r.p95Ms());
    out.printf(Locale.ROOT, "%-12s %s%n", "workflow", r.workflowId());
    if (r.answers() != null) {
      printAnswers(out, r.answers());
    }
    out.printf(
        Locale.ROOT,
        "eval ndcg@10=%.4f mrr@10=%.4f recall@100=%.4f p50_ms=%.1f p95_ms=%.1f queries=%d%n",
        r.ndcgAt10(),
        r.mrrAt10(),
        r.recallAt100(),
        r.p50Ms(),
        r.p95Ms(),
        r.total());
  }

  /**
   * The advisory tier, as its own block: heuristics about generated answers, not retrieval metrics,
   * so nothing of it goes into the final {@code eval} line.
   */
  private static void printAnswers(PrintWriter out, AnswerMetrics a) {
    out.println();
    out.printf(
        Locale.ROOT,
        "answer-level (advisory) — %d answers by %s, not retrieval metrics%n",
        a.sample(),
        a.model());
    out.printf(
        Locale.ROOT,
        "  %-18s %s  share of claims supported by the passages they cite%n",
        "faithfulness",
        metric(a.faithfulness()));
    out.printf(
        Locale.ROOT,
        "  %-18s %s  cosine of question and answer embeddings%n",
        "answer_relevancy",
        metric(a.answerRelevancy()));
    out.printf(
        Locale.ROOT,
        "  %-18s %s  relevant documents among the passages given to the LLM%n",
        "context_recall",
        metric(a.contextRecall()));
    out.printf(
        Locale.ROOT,
        "  %-18s %d by the LLM, %d fallback (LLM unavailable or timed out, not scored)%n",
        "answered",
        a.generated(),
        a.fallback());
    out.printf(
        Locale.ROOT,
        "  %-18s %s%n",
        "generation_p50_ms",
        a.generationP50Ms() == null
            ? "n/a"
            : String.format(Locale.ROOT, "%.1f", a.generationP50Ms()));
    out.println();
  }

  private static String metric(Double value) {
    return value == null ? "n/a   " : String.format(Locale.ROOT, "%.4f", value);
  }
}
