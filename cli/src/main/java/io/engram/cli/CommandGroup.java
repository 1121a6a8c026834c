package io.engram.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code engram} itself, {@code memory}, {@code drift},
 * {@code models}, {@code rollout}, {@code keys}, {@code collections}): called without one there is
 * nothing to do, which is a usage error that prints the group's usage.
 */
abstract class CommandGroup implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return CommandLine.ExitCode.USAGE;
  }
}
