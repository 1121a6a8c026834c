package io.engram.workers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import io.engram.contract.Keys;
import io.engram.contract.Labels;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.Database;
import io.engram.core.db.EngramJdbi;
import io.engram.core.tenant.ApiKeys;
import io.engram.core.tenant.Scope;
import io.engram.core.tenant.Tenant;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./engram keys … --database}: API keys made, listed and revoked in the database directly,
 * without the API. This is how an installation gets its first {@code admin} key: whoever can reach
 * the database with Engram's credentials (the launcher on a developer's machine, {@code kubectl
 * exec} into a worker pod) is already trusted with everything, so no other bootstrap secret is
 * needed. It reads the database settings as the worker does ({@code ENGRAM_DB_URL}, …) and prints
 * what {@code /v1/keys} returns.
 */
public final class KeysMain {
  private KeysMain() {}

  /** The usage, with the commands as users type them: through the launcher. */
  static final String USAGE =
      """
      usage: ./engram keys create --database --scopes query,ingest,admin [--tenant T] [--name NAME] [--json]
             ./engram keys list --database [--tenant T] [--json]
             ./engram keys revoke ID --database [--json]
        --database: API keys in the database named by ENGRAM_DB_URL, ENGRAM_DB_USER and
        ENGRAM_DB_PASSWORD, without the API and without a key: the way to an installation's first
        admin key. A created key is printed once; only its hash is stored. Without --database the
        same commands go through the API (./engram keys create --help).
      """;

  /** The launcher's switch to this class; taken when it is passed on, as the usage spells it. */
  private static final String DATABASE = "--database";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static void main(String[] args) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? System.err : System.out).print(USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    EngramSettings settings;
    try {
      settings = EngramSettings.fromEnvironment();
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    try (HikariDataSource db = Database.connect(settings.database(), "engram-keys", 2)) {
      System.exit(run(new ApiKeys(EngramJdbi.create(db)), args, System.out, System.err));
    }
  }

  /** Runs one command; returns the exit status (2 for bad usage, 1 for an unknown key). */
  static int run(ApiKeys keys, String[] args, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    rest.removeIf(DATABASE::equals);
    String command = rest.isEmpty() ? "" : rest.remove(0);
    boolean json = rest.remove("--json");
    try {
      switch (command) {
        case "create" -> {
          Tenant tenant = new Tenant(option(rest, "--tenant").orElse(Tenant.DEFAULT.id()));
          String name = option(rest, "--name").orElse("key");
          // The API's rule for a key's name (CreateKey), so the bootstrap cannot store a name the
          // API would refuse, such as one that rewrites the terminal that lists it.
          if (name.length() > Keys.MAX_NAME_CHARS || !name.matches(Labels.PATTERN)) {
            throw new IllegalArgumentException(
                "--name must be 1 to "
                    + Keys.MAX_NAME_CHARS
                    + " characters, not blank, with no space at either end and no control or"
                    + " invisible characters");
          }
          Set<Scope> scopes =
              Scope.parseAll(
                  Arrays.asList(
                      option(rest, "--scopes")
                          .orElseThrow(() -> new IllegalArgumentException("--scopes is required"))
                          .split(",")));
          noneLeft(rest);
          ApiKeys.Created created = keys.create(tenant, name, scopes, "database");
          if (json) {
            ObjectNode body = JSON.createObjectNode();
            body.put("key", created.token());
            body.set("apiKey", view(created.key()));
            out.println(JSON.writeValueAsString(body));
          } else {
            out.println(created.token());
            err.println(
                "key "
                    + created.key().id()
                    + " of tenant "
                    + tenant.id()
                    + "; store it now: it is not shown again.");
          }
        }
        case "list" -> {
          Optional<String> tenant = option(rest, "--tenant");
          noneLeft(rest);
          ArrayNode list = JSON.createArrayNode();
          keys.list(tenant.map(Tenant::new).orElse(null)).forEach(k -> list.add(view(k)));
          if (json) {
            ObjectNode body = JSON.createObjectNode();
            body.set("keys", list);
            out.println(JSON.writeValueAsString(body));
          } else {
            list.forEach(
                k ->
                    out.printf(
                        "%s  %s  %s  %s  %s…  %s%n",
                        k.path("id").asText(),
                        k.path("tenant").asText(),
                        k.path("name").asText(),
                        k.path("scopes").toString(),
                        k.path("hint").asText(),
                        k.path("active").asBoolean() ? "active" : "revoked"));
          }
        }
        case "revoke" -> {
          if (rest.size() != 1) {
            throw new IllegalArgumentException("revoke takes one key id");
          }
          long id = Long.parseLong(rest.get(0));
          Optional<ApiKeys.ApiKey> revoked = keys.revoke(id);
          if (revoked.isEmpty()) {
            err.println("error: no API key " + id);
            return 1;
          }
          out.println(json ? JSON.writeValueAsString(view(revoked.get())) : "revoked key " + id);
        }
        default ->
            throw new IllegalArgumentException(
                command.isEmpty() ? "name a command" : "unknown command " + command);
      }
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Optional<String> option(List<String> args, String name) {
    int at = args.indexOf(name);
    if (at < 0) {
      return Optional.empty();
    }
    if (at + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    String value = args.get(at + 1);
    args.remove(at + 1);
    args.remove(at);
    return Optional.of(value);
  }

  private static void noneLeft(List<String> args) {
    if (!args.isEmpty()) {
      throw new IllegalArgumentException("unexpected " + String.join(" ", args));
    }
  }

  /** A key as {@code /v1/keys} lists it. */
  private static ObjectNode view(ApiKeys.ApiKey k) {
    ObjectNode v = JSON.createObjectNode();
    v.put("id", k.id());
    v.put("tenant", k.tenant().id());
    v.put("name", k.name());
    ArrayNode scopes = v.putArray("scopes");
    k.scopes().stream().sorted().map(Scope::wireName).forEach(scopes::add);
    v.put("hint", k.hint());
    v.put("active", k.active());
    v.put("createdBy", k.createdBy());
    v.put("createdAt", String.valueOf(k.createdAt()));
    v.put("lastUsedAt", k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
    v.put("revokedAt", k.revokedAt() == null ? null : k.revokedAt().toString());
    return v;
  }
}
