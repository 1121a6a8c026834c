package io.engram.cli;

import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Keys.CreateKey;
import io.engram.contract.Keys.KeyCreated;
import io.engram.contract.Keys.KeyList;
import io.engram.contract.Keys.KeyView;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * API keys through {@code /v1/keys} (an {@code admin} key, or the dev profile's loopback caller).
 * The launcher's {@code ./engram keys … --database} runs the same commands against the database
 * instead, for the first admin key of an installation.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = {
      "API keys: create (the key is printed once), list, revoke. Needs an admin key in"
          + " ENGRAM_API_KEY, or a dev stack's loopback access. The first admin key of an"
          + " installation: ./engram keys create --scopes admin --database (README, Keys and"
          + " tenants)."
    },
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand extends CommandGroup {
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * {@code --database}, listed in each command's help because users type it there ({@code ./engram
   * keys create --scopes admin --database}); the launcher takes it and runs the command against the
   * database instead of sending it to the API, so it reaches this CLI only when it is run without
   * the launcher, which is refused saying so.
   */
  static final class DatabaseOption {
    @Option(
        names = "--database",
        description =
            "Straight in the database named by ENGRAM_DB_URL (ENGRAM_DB_USER, ENGRAM_DB_PASSWORD),"
                + " without the API and without a key: the way to an installation's first admin"
                + " key. The launcher (./engram keys) runs it.")
    boolean database;

    void refuseOutsideTheLauncher(String command) {
      if (database) {
        throw new CliException(
            "--database is the launcher's: run ./engram keys "
                + command
                + " … --database, which reaches the database itself",
            CliException.USAGE);
      }
    }
  }

  @Command(
      name = "create",
      description = {
        "Create an API key and print it: it is shown this once, only its hash is kept.",
        "With --json: {\"key\": …, \"apiKey\": {id, tenant, name, scopes, hint, …}}.",
        "The first admin key of an installation: ./engram keys create --scopes admin --database."
      })
  static final class Create implements Callable<Integer> {
    @Mixin CommandContext context;

    @Mixin DatabaseOption database;

    @Option(
        names = "--tenant",
        paramLabel = "TENANT",
        description =
            "Whose key (default: the caller's tenant); a new tenant starts here. Another tenant's"
                + " keys are the operator's: an admin key of tenant default, or dev loopback.")
    String tenant;

    @Option(
        names = "--scopes",
        paramLabel = "SCOPES",
        required = true,
        split = ",",
        description = "What it may do, ','-separated: query, ingest, admin.")
    List<String> scopes;

    @Option(names = "--name", paramLabel = "NAME", description = "What the key is for.")
    String name;

    @Override
    public Integer call() throws Exception {
      database.refuseOutsideTheLauncher("create");
      Reply<KeyCreated> reply =
          context.client().createKey(new CreateKey(tenant, name, List.copyOf(scopes)));
      context.print(
          reply,
          (out, created) -> {
            out.println(created.key());
            context.err().println(describe(created.apiKey()));
            context.err().println("Store the key now: it is not shown again.");
          });
      return 0;
    }
  }

  @Command(name = "list", description = "List API keys (never their tokens), oldest first.")
  static final class ListKeys implements Callable<Integer> {
    @Mixin CommandContext context;

    @Mixin DatabaseOption database;

    @Option(
        names = "--tenant",
        paramLabel = "TENANT",
        description =
            "Only this tenant's keys (a tenant's own admin key lists only its own tenant's).")
    String tenant;

    @Override
    public Integer call() throws Exception {
      database.refuseOutsideTheLauncher("list");
      Reply<KeyList> reply = context.client().keys(tenant);
      context.print(reply, (out, list) -> print(out, list.keys()));
      return 0;
    }
  }

  @Command(
      name = "revoke",
      description = "Revoke an API key: it authenticates nothing from now on, and stays listed.")
  static final class Revoke implements Callable<Integer> {
    @Mixin CommandContext context;

    @Mixin DatabaseOption database;

    @Parameters(paramLabel = "ID", description = "The key's id, as keys list shows it.")
    long id;

    @Override
    public Integer call() throws Exception {
      database.refuseOutsideTheLauncher("revoke");
      Reply<KeyView> reply = context.client().revokeKey(id);
      context.print(reply, (out, key) -> out.println("revoked " + describe(key)));
      return 0;
    }
  }

  static String describe(KeyView k) {
    return "key "
        + k.id()
        + " ("
        + k.hint()
        + "…) of tenant "
        + k.tenant()
        + ", '"
        + k.name()
        + "', scopes "
        + String.join(",", k.scopes());
  }

  /**
   * When a key was last used, to the minute: the API records a use at most once a minute, so the
   * seconds of the instant it sends say nothing. Shown as sent when it is no instant.
   */
  static String toTheMinute(String instant) {
    try {
      return MINUTE.format(Instant.parse(instant));
    } catch (DateTimeParseException e) {
      return instant;
    }
  }

  static void print(PrintWriter out, List<KeyView> keys) {
    if (keys.isEmpty()) {
      out.println("no API keys");
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {"ID", "TENANT", "NAME", "SCOPES", "KEY", "STATUS", "CREATED", "LAST USED"});
    for (KeyView k : keys) {
      rows.add(
          new String[] {
            Long.toString(k.id()),
            k.tenant(),
            k.name(),
            String.join(",", k.scopes()),
            k.hint() + "…",
            k.active() ? "active" : "revoked " + k.revokedAt(),
            k.createdAt(),
            k.lastUsedAt() == null ? "-" : toTheMinute(k.lastUsedAt())
          });
    }
    Table.print(out, rows);
  }
}
