package io.engram.cli;

import picocli.CommandLine.Command;

/**
 * The benchmarks of a running API that the CLI runs itself: {@code bench query} and {@code bench
 * load} (the launcher runs {@code bench ingest} and {@code bench rollout}, which need a stack of
 * their own or the worker's classes).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = "Benchmark the running API's queries.",
    subcommands = {BenchQueryCommand.class, BenchLoadCommand.class})
final class BenchCommand extends CommandGroup {

  /**
   * The names the benchmarks had before they were grouped under {@code bench}, still accepted (and
   * hidden from the help) for scripts that call the CLI directly.
   */
  static final String LEGACY_QUERY = "bench-query";

  static final String LEGACY_LOAD = "bench-load";
}
