package io.engram.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.contract.Queries.QueryRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What the query benchmarks ({@code bench-query}, {@code bench-load}) send to {@code POST
 * /v1/query}: the queries of a BEIR file, the collection they ask, how many passages each wants and
 * whether the API's caches may answer; and the p95 bound their highest QPS is held to. Mixed in
 * with {@code @Mixin}.
 */
final class BenchTarget {

  /** What the launcher passes when {@code ./engram bench query|load} is given no queries. */
  static final String LAUNCHER_QUERIES = "../shared/data/scifact/queries.jsonl";

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  // Not required for picocli: the launcher always passes it, and its help is this command's help,
  // which would otherwise show as required an option the launcher's user may leave out.
  @Option(
      names = "--queries",
      paramLabel = "FILE",
      description = {
        "BEIR queries.jsonl; its queries are sent in turn.",
        "./engram passes "
            + LAUNCHER_QUERIES
            + " (next to the checkout) when none is given;"
            + " the CLI run directly needs it."
      })
  Path queries;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      defaultValue = "scifact",
      description = "Collection (default: ${DEFAULT-VALUE}).")
  String collection;

  @Option(
      names = "--top-k",
      paramLabel = "N",
      defaultValue = "10",
      description = "Passages per query (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--cached",
      description =
          "Let the API answer repeated queries from its response and query-embedding caches"
              + " (default: every query is computed afresh, which is what the latency target is"
              + " about).")
  boolean cached;

  @Option(
      names = "--p95-bound-ms",
      paramLabel = "MS",
      defaultValue = "100",
      description =
          "The latency target: the highest QPS counts only where p95 stays under this (default:"
              + " ${DEFAULT-VALUE}).")
  double p95BoundMs;

  /** The request that asks {@code text}. */
  QueryRequest request(String text) {
    return new QueryRequest(text, null, collection, topK);
  }

  /** The query texts of the BEIR queries.jsonl, in file order. */
  List<String> readQueries() throws IOException {
    if (queries == null) {
      throw new ParameterException(
          command.commandLine(),
          "Missing --queries FILE: name a BEIR queries.jsonl (./engram passes "
              + LAUNCHER_QUERIES
              + " when none is given)");
    }
    List<String> texts = new ArrayList<>();
    for (String line : Files.readAllLines(queries, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        JsonNode node = EngramClient.JSON.readTree(line);
        texts.add(node.path("text").asText());
      }
    }
    if (texts.isEmpty()) {
      throw new CliException("no queries in " + queries + " (a BEIR queries.jsonl is expected)", 2);
    }
    return texts;
  }

  /**
   * Warms up JIT, connection pools and the embedding model, so that what follows measures steady
   * state; refuses an API that generates answers with an LLM, since the benchmarks are about
   * retrieval + rerank.
   */
  void warmUp(EngramClient client, List<String> texts) {
    for (int i = 0; i < Math.min(50, texts.size()); i++) {
      var reply = client.query(request(texts.get(i)), cached);
      if ("llm".equals(reply.value().answerMode())) {
        throw new CliException(
            "the API generates answers with an LLM; the query benchmarks measure retrieval +"
                + " rerank: restart the stack without --with-llm (./engram down && ./engram up)",
            2);
      }
    }
  }
}
