package io.engram.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A subcommand of {@code models} or {@code rollout}, where {@code --version N} names a model
 * version: it declares {@code -h/--help} and only the short {@code -V} of the standard version
 * option, so it cannot take {@link CommandContext}, whose standard options include {@code
 * --version}, and mixes in {@link SharedContext} instead. Every subcommand of the two groups does
 * this, those without a {@code --version N} too, so that {@code --version} means a model version
 * throughout them.
 */
@Command(versionProvider = EngramCli.VersionProvider.class)
abstract class VersionSubcommand implements Callable<Integer> {

  @Mixin SharedContext context;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "-V",
      versionHelp = true,
      description = "Print version information and exit (--version names a model version here).")
  boolean versionHelp;
}
