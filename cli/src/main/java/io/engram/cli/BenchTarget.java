package io.engram.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What the query benchmarks ({@code bench-query}, {@code bench-load}) send to {@code POST
 * /v1/query}: the queries of a BEIR file, the collection they ask and how many passages each wants.
 * Mixed in with {@code @Mixin}.
 */
final class BenchTarget {

  @Option(
      names = "--queries",
      paramLabel = "FILE",
      required = true,
      description = "BEIR queries.jsonl; its queries are sent in turn.")
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
}
