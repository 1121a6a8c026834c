package io.engram.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A subcommand of {@code models} or {@code rollout}, where {@code --version N} names a model
 * version: it declares {@code --help} without the standard {@code --version}, so it cannot take
 * {@link CommandContext}, whose standard options include it, and mixes in {@link SharedContext}
 * instead.
 */
abstract class VersionSubcommand implements Callable<Integer> {

  @Mixin SharedContext context;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;
}
