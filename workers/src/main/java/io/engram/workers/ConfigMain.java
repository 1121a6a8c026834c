package io.engram.workers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.core.config.EngramSettings;
import io.engram.core.config.SettingsSource;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code ./engram config}: every setting's effective value and where it came from (default,
 * profile, config file, environment), secrets masked, then whether the whole tree is valid. The
 * launcher runs it with the environment it gives the worker and the API.
 */
public final class ConfigMain {
  private ConfigMain() {}

  static final String USAGE =
      """
      usage: ./engram config [--json] [--changed]
        Prints every Engram setting with its effective value and where it came from (default,
        the profile's default, the file named by ENGRAM_CONFIG_FILE, the environment), with
        secrets masked; then checks the whole configuration as the worker and the API would.
        --changed   only the settings that are not at their default
        --json      one JSON object: profile, settings [{key, value, origin, help}], unknown, error
      ENGRAM_PROFILE (dev|test|prod) selects the defaults that differ between a laptop, a test
      installation and production. Exit status 2 when the configuration is invalid.
      """;

  public static void main(String[] args) {
    boolean json = false;
    boolean changed = false;
    for (String a : args) {
      switch (a) {
        case "--json" -> json = true;
        case "--changed" -> changed = true;
        case "--help", "-h" -> {
          System.out.print(USAGE);
          return;
        }
        default -> {
          System.err.println("error: unknown option " + a);
          System.err.print(USAGE);
          System.exit(2);
        }
      }
    }
    System.exit(run(System.getenv(), json, changed, System.out));
  }

  /**
   * Prints the settings {@code env} gives; returns the exit status (2 when invalid). A profile or
   * configuration file that cannot be read at all is reported as the configuration's error too.
   */
  static int run(Map<String, String> env, boolean json, boolean changed, PrintStream out) {
    SettingsSource source;
    try {
      source = SettingsSource.of(env);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      // An unreadable file (no permission, not UTF-8) is as invalid as a malformed one.
      String problem =
          e instanceof java.io.UncheckedIOException io && io.getCause() != null
              ? "ENGRAM_CONFIG_FILE cannot be read: " + io.getCause().getMessage()
              : e.getMessage();
      if (json) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.putNull("profile");
        root.putArray("settings");
        root.putArray("unknown");
        root.put("error", problem);
        out.println(root);
      } else {
        out.println("configuration is INVALID: " + problem);
      }
      return 2;
    }
    return print(source, json, changed, out);
  }

  /**
   * Whether a setting is not at its default: a profile's own default, or a value set (in the file,
   * the environment or an override) that differs from the default the profile gives. A value set to
   * what the default is anyway is no change, nor is an empty one where the default is empty too:
   * the launcher exports {@code ENGRAM_DB_PASSWORD=} and the local stack's URLs and ports, which
   * would otherwise all be listed.
   */
  static boolean changed(SettingsSource.Resolved r, SettingsSource source) {
    if (r.origin() == SettingsSource.Origin.DEFAULT) {
      return false;
    }
    if (r.origin() == SettingsSource.Origin.PROFILE) {
      return true;
    }
    SettingsSource.Definition d = r.definition();
    String byDefault =
        d.profileDefaults().containsKey(source.profile())
            ? d.profileDefaults().get(source.profile())
            : d.defaultValue();
    return !Objects.equals(r.value(), blankToNull(byDefault));
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }

  /** Prints the settings of {@code source}; returns the exit status (2 when invalid). */
  static int print(SettingsSource source, boolean json, boolean changed, PrintStream out) {
    String error = null;
    try {
      EngramSettings.from(source);
    } catch (IllegalArgumentException e) {
      error = e.getMessage();
    }
    List<SettingsSource.Resolved> settings =
        source.resolveAll().stream().filter(r -> !changed || changed(r, source)).toList();
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode root = mapper.createObjectNode();
      root.put("profile", source.profile().value());
      root.put("profileOrigin", source.profileOrigin().label());
      ArrayNode list = root.putArray("settings");
      for (SettingsSource.Resolved r : settings) {
        ObjectNode n = list.addObject();
        n.put("key", r.definition().key());
        n.put("value", r.value() == null ? null : r.shown());
        n.put("origin", r.origin().label());
        n.put("secret", r.definition().secret());
        n.put("help", r.definition().help());
      }
      source.unknown().forEach(root.putArray("unknown")::add);
      root.put("error", error);
      out.println(root);
    } else {
      out.printf(
          Locale.ROOT,
          "profile %s (%s)%n%n",
          source.profile().value(),
          source.profileOrigin().label());
      int width = settings.stream().mapToInt(r -> r.definition().key().length()).max().orElse(10);
      for (SettingsSource.Resolved r : settings) {
        out.printf(
            Locale.ROOT,
            "%-" + width + "s  %-24s  %s%n",
            r.definition().key(),
            r.value() == null ? "(not set)" : r.shown(),
            r.origin().label());
      }
      for (String unknown : source.unknown()) {
        out.printf(
            Locale.ROOT,
            "%nwarning: %s is set but is not an Engram setting (misspelt?)%n",
            unknown);
      }
      out.println();
      out.println(error == null ? "configuration is valid" : "configuration is INVALID: " + error);
    }
    return error == null ? 0 : 2;
  }
}
