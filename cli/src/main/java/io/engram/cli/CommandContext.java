package io.engram.cli;

import picocli.CommandLine.Command;

/**
 * What every command mixes in with {@code @Mixin}: {@code --help} and {@code --version}, and what
 * {@link SharedContext} gives, the API client, the global options and the output contract.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = EngramCli.VersionProvider.class)
final class CommandContext extends SharedContext {}
