package io.engram.core.config;

import io.engram.core.memory.MemorySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Where every setting's value comes from. Settings are named by their environment variable ({@code
 * ENGRAM_RETRIEVAL_MODE}); their defaults, per profile, live in one resource, {@code
 * defaults.properties} next to this class. Layers, lowest precedence first: the default, the
 * profile's default, the file named by {@code ENGRAM_CONFIG_FILE}, the environment, explicit
 * overrides (the API's Micronaut properties, a test's values). Each value remembers its origin, so
 * {@code ./engram config} can say where it came from.
 *
 * <p>Typed reads ({@link #integer}, {@link #duration}, …) validate and name the variable and the
 * origin of a bad value, so a mistake is reported at start-up as "ENGRAM_X must be …, got 'y' (from
 * the environment)" rather than as a stack trace from deep inside a component.
 */
public final class SettingsSource {

  /** Selects the profile whose defaults apply. */
  public static final String PROFILE = "ENGRAM_PROFILE";

  /** Names a file of {@code KEY=value} lines layered between the defaults and the environment. */
  public static final String CONFIG_FILE = "ENGRAM_CONFIG_FILE";

  private static final String DEFAULTS = "defaults.properties";

  /** Where a value came from, lowest precedence first. */
  public enum Origin {
    DEFAULT("default"),
    PROFILE("profile default"),
    FILE("config file"),
    ENVIRONMENT("environment"),
    OVERRIDE("property");

    private final String label;

    Origin(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One setting as declared in {@code defaults.properties}.
   *
   * @param key the setting's name, which is also its environment variable
   * @param help the comment above it
   * @param defaultValue the default of every profile ({@code null} when empty)
   * @param profileDefaults the defaults of single profiles that differ
   */
  public record Definition(
      String key, String help, String defaultValue, Map<Profile, String> profileDefaults) {
    public Definition {
      profileDefaults = Map.copyOf(profileDefaults);
    }

    /** Whether the value is a credential that must never be shown. */
    public boolean secret() {
      return key.endsWith("PASSWORD")
          || key.endsWith("SECRET")
          || key.endsWith("_TOKEN")
          || key.endsWith("API_KEY");
    }

    /** Whether the value is a URL, which may carry a password ({@code ENGRAM_DB_URL}). */
    public boolean url() {
      return key.endsWith("_URL");
    }

    /** The Micronaut property that may set it: {@code engram.retrieval.mode}. */
    public String property() {
      return key.toLowerCase(Locale.ROOT).replace('_', '.');
    }
  }

  /**
   * A setting's effective value.
   *
   * @param value the value, or {@code null} when it is not set (empty)
   * @param origin the layer it came from
   */
  public record Resolved(Definition definition, String value, Origin origin) {

    /** The value as it may be printed: secrets masked, and a password a URL carries. */
    public String shown() {
      if (value == null) {
        return "";
      }
      if (definition.secret()) {
        return "***";
      }
      return definition.url() ? DatabaseSettings.redact(value) : value;
    }

    /** The credentials in the value: all of a secret, the password in a URL. */
    public List<String> credentials() {
      if (value == null) {
        return List.of();
      }
      if (definition.secret()) {
        return List.of(value);
      }
      return definition.url() ? DatabaseSettings.credentialsIn(value) : List.of();
    }
  }

  private static final Map<String, Definition> DEFINITIONS = readDefinitions();

  private final Profile profile;
  private final Origin profileOrigin;
  private final Path file;
  private final Map<String, String> fileValues;
  private final Map<String, String> environment;
  private final Map<String, String> overrides;
  private final java.util.Set<String> read = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private SettingsSource(
      Profile profile,
      Origin profileOrigin,
      Path file,
      Map<String, String> fileValues,
      Map<String, String> environment,
      Map<String, String> overrides) {
    this.profile = profile;
    this.profileOrigin = profileOrigin;
    this.file = file;
    this.fileValues = fileValues;
    this.environment = environment;
    this.overrides = overrides;
  }

  /** The settings of a process whose environment is {@code environment}. */
  public static SettingsSource of(Map<String, String> environment) {
    return of(environment, Map.of());
  }

  /**
   * The settings of a process whose environment is {@code environment}, with {@code overrides}
   * (keyed by variable name) taking precedence over everything.
   */
  public static SettingsSource of(Map<String, String> environment, Map<String, String> overrides) {
    Map<String, String> env = Map.copyOf(environment);
    Map<String, String> over = Map.copyOf(overrides);
    String fileName = first(over, env, CONFIG_FILE);
    Path file = fileName == null || fileName.isBlank() ? null : Path.of(fileName.strip());
    Map<String, String> fileValues = file == null ? Map.of() : readFile(file);
    Origin profileOrigin = Origin.DEFAULT;
    String profileValue = null;
    for (var layer :
        List.of(
            Map.entry(Origin.FILE, fileValues),
            Map.entry(Origin.ENVIRONMENT, env),
            Map.entry(Origin.OVERRIDE, over))) {
      String v = layer.getValue().get(PROFILE);
      if (v != null && !v.isBlank()) {
        profileValue = v;
        profileOrigin = layer.getKey();
      }
    }
    Profile profile = profileValue == null ? Profile.DEV : Profile.parse(profileValue);
    return new SettingsSource(profile, profileOrigin, file, fileValues, env, over);
  }

  private static String first(Map<String, String> a, Map<String, String> b, String key) {
    return a.containsKey(key) ? a.get(key) : b.get(key);
  }

  public Profile profile() {
    return profile;
  }

  /** Where the profile was chosen. */
  public Origin profileOrigin() {
    return profileOrigin;
  }

  /** Every setting declared in {@code defaults.properties}, in the order declared. */
  public static List<Definition> definitions() {
    return List.copyOf(DEFINITIONS.values());
  }

  /** The effective value of every setting, in the order declared. */
  public List<Resolved> resolveAll() {
    return DEFINITIONS.keySet().stream().map(this::lookup).toList();
  }

  /**
   * Declared settings nothing has read through this source yet: after the settings tree is built, a
   * setting listed here would be one that is documented but has no effect.
   */
  public List<String> unread() {
    return DEFINITIONS.keySet().stream().filter(k -> !read.contains(k)).toList();
  }

  /**
   * Variables that look like Engram settings ({@code ENGRAM_…}) in the file, the environment or the
   * overrides but are not settings: most likely misspelt. Variables the launcher and the tests use
   * for themselves are not listed.
   */
  public List<String> unknown() {
    TreeSet<String> names = new TreeSet<>();
    for (Map<String, String> layer : List.of(fileValues, environment, overrides)) {
      for (String name : layer.keySet()) {
        if (name.startsWith("ENGRAM_")
            && !DEFINITIONS.containsKey(name)
            && !NOT_SETTINGS.contains(name)) {
          names.add(name);
        }
      }
    }
    return List.copyOf(names);
  }

  /** Variables of the launcher, the CLI and the test harness: they configure no Engram process. */
  private static final List<String> NOT_SETTINGS =
      List.of(
          PROFILE,
          CONFIG_FILE,
          "ENGRAM_HOME",
          "ENGRAM_API_URL",
          "ENGRAM_API_KEY",
          "ENGRAM_JAVA_OPTS",
          "ENGRAM_PG_BIN",
          "ENGRAM_PG_PORT",
          "ENGRAM_TEMPORAL_PORT",
          "ENGRAM_TEMPORAL_UI_PORT",
          "ENGRAM_TEMPORAL_UI_URL",
          "ENGRAM_TEMPORAL_CLI",
          "ENGRAM_LLM_PORT",
          "ENGRAM_LLM_HOME");

  /** The effective value of {@code key}. */
  public Resolved resolve(String key) {
    Resolved r = lookup(key);
    read.add(key);
    return r;
  }

  private Resolved lookup(String key) {
    Definition d = DEFINITIONS.get(key);
    if (d == null) {
      throw new IllegalArgumentException(key + " is not a setting declared in " + DEFAULTS);
    }
    String value = blankToNull(d.defaultValue());
    Origin origin = Origin.DEFAULT;
    if (d.profileDefaults().containsKey(profile)) {
      value = blankToNull(d.profileDefaults().get(profile));
      origin = Origin.PROFILE;
    }
    if (fileValues.containsKey(key)) {
      value = blankToNull(fileValues.get(key));
      origin = Origin.FILE;
    }
    if (environment.containsKey(key)) {
      value = blankToNull(environment.get(key));
      origin = Origin.ENVIRONMENT;
    }
    if (overrides.containsKey(key)) {
      value = blankToNull(overrides.get(key));
      origin = Origin.OVERRIDE;
    }
    return new Resolved(d, value, origin);
  }

  /** Where a value's origin is, for messages: "from the environment", "from config file X". */
  public String describe(Origin origin) {
    return switch (origin) {
      case DEFAULT -> "the default";
      case PROFILE -> "the " + profile.value() + " profile's default";
      case FILE -> "config file " + file;
      case ENVIRONMENT -> "the environment";
      case OVERRIDE -> "a property";
    };
  }

  // ------------------------------------------------------------------ typed reads

  /** The value, or {@code null} when not set. */
  public String optionalString(String key) {
    return resolve(key).value();
  }

  /** The value; an unset value is an error naming the variable. */
  public String string(String key) {
    Resolved r = resolve(key);
    if (r.value() == null) {
      throw invalid(r, "must be set");
    }
    return r.value();
  }

  public int integer(String key, int min, int max) {
    return (int) longInteger(key, min, max);
  }

  public long longInteger(String key, long min, long max) {
    Resolved r = resolve(key);
    try {
      long v = Long.parseLong(require(r).strip());
      if (v < min || v > max) {
        throw invalid(r, "must be a whole number in [" + min + ", " + max + "]");
      }
      return v;
    } catch (NumberFormatException e) {
      throw invalid(r, "must be a whole number in [" + min + ", " + max + "]");
    }
  }

  /** A number in {@code [min, max]}; {@code null} when unset and {@code optional}. */
  public Double decimal(String key, double min, double max, boolean optional) {
    Resolved r = resolve(key);
    if (r.value() == null && optional) {
      return null;
    }
    try {
      double v = Double.parseDouble(require(r).strip());
      if (!(v >= min && v <= max)) {
        throw invalid(r, "must be a number in [" + min + ", " + max + "]");
      }
      return v;
    } catch (NumberFormatException e) {
      throw invalid(r, "must be a number in [" + min + ", " + max + "]");
    }
  }

  public double decimal(String key, double min, double max) {
    return decimal(key, min, max, false);
  }

  public boolean bool(String key) {
    Resolved r = resolve(key);
    return switch (require(r).strip().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw invalid(r, "must be true or false");
    };
  }

  /** A duration like {@code 30m}, {@code 6h}, {@code 7d} or ISO-8601 {@code P7D}; positive. */
  public Duration duration(String key) {
    Resolved r = resolve(key);
    try {
      Duration d = MemorySettings.parseDuration(require(r));
      if (d.isNegative() || d.isZero()) {
        throw invalid(r, "must be a positive duration like 30m, 6h or 7d");
      }
      return d;
    } catch (IllegalArgumentException e) {
      if (e instanceof InvalidSettingException) {
        throw e;
      }
      throw invalid(r, "must be a positive duration like 30m, 6h or 7d");
    }
  }

  /** A milliseconds value as a duration. */
  public Duration millis(String key, long min, long max) {
    return Duration.ofMillis(longInteger(key, min, max));
  }

  /**
   * One of an enum's constants, written in lowercase with words joined by {@code -} or {@code _}
   * ({@code cross-encoder} for {@code CROSS_ENCODER}).
   */
  public <E extends Enum<E>> E choice(String key, Class<E> type) {
    Resolved r = resolve(key);
    String v = require(r).strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(v)) {
        return e;
      }
    }
    throw invalid(
        r,
        "must be one of "
            + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .toList());
  }

  /** A {@code ,}-separated list of words, each stripped and lowercased; at least one. */
  public List<String> list(String key) {
    Resolved r = resolve(key);
    List<String> words =
        Arrays.stream(require(r).split(","))
            .map(w -> w.strip().toLowerCase(Locale.ROOT))
            .filter(w -> !w.isEmpty())
            .distinct()
            .toList();
    if (words.isEmpty()) {
      throw invalid(r, "must name at least one value, ','-separated");
    }
    return words;
  }

  /** A {@code :}-separated list of paths; empty when unset. */
  public List<Path> paths(String key) {
    String value = resolve(key).value();
    if (value == null) {
      return List.of();
    }
    List<Path> paths = new ArrayList<>();
    for (String part : value.split(java.io.File.pathSeparator)) {
      if (!part.isBlank()) {
        paths.add(Path.of(part.strip()));
      }
    }
    return Collections.unmodifiableList(paths);
  }

  /** Thrown for a setting whose value is malformed or out of range; names the variable. */
  public static final class InvalidSettingException extends IllegalArgumentException {
    InvalidSettingException(String message) {
      super(message);
    }
  }

  private String require(Resolved r) {
    if (r.value() == null) {
      throw invalid(r, "must be set");
    }
    return r.value();
  }

  /** An error naming the variable, the problem, the value (unless secret) and its origin. */
  public InvalidSettingException invalid(Resolved r, String problem) {
    String got = r.value() == null ? "nothing" : "'" + r.shown() + "'";
    return new InvalidSettingException(
        "%s %s, got %s (from %s)"
            .formatted(r.definition().key(), problem, got, describe(r.origin())));
  }

  // ------------------------------------------------------------------ files

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static Map<String, Definition> readDefinitions() {
    try (InputStream in = SettingsSource.class.getResourceAsStream(DEFAULTS)) {
      Objects.requireNonNull(in, DEFAULTS + " is missing from the classpath");
      Map<String, StringBuilder> help = new LinkedHashMap<>();
      Map<String, String> defaults = new LinkedHashMap<>();
      Map<String, Map<Profile, String>> perProfile = new LinkedHashMap<>();
      StringBuilder comment = new StringBuilder();
      boolean header = true;
      for (String line : lines(in)) {
        String t = line.strip();
        if (t.isEmpty()) {
          // The file's own header ends at the first blank line; later blank lines end a comment.
          header = false;
          comment.setLength(0);
          continue;
        }
        if (t.startsWith("#")) {
          if (!header) {
            comment.append(comment.isEmpty() ? "" : " ").append(t.substring(1).strip());
          }
          continue;
        }
        int eq = t.indexOf('=');
        if (eq <= 0) {
          throw new IllegalStateException(DEFAULTS + ": not KEY=value: " + line);
        }
        String key = t.substring(0, eq).strip();
        String value = t.substring(eq + 1).strip();
        if (key.startsWith("%")) {
          int dot = key.indexOf('.');
          Profile p = Profile.parse(key.substring(1, dot));
          String k = key.substring(dot + 1);
          if (!defaults.containsKey(k)) {
            throw new IllegalStateException(DEFAULTS + ": " + key + " before " + k);
          }
          perProfile.get(k).put(p, value);
        } else {
          defaults.put(key, value);
          perProfile.put(key, new LinkedHashMap<>());
          help.put(key, new StringBuilder(comment));
        }
        comment.setLength(0);
      }
      Map<String, Definition> out = new LinkedHashMap<>();
      for (String key : defaults.keySet()) {
        out.put(
            key,
            new Definition(key, help.get(key).toString(), defaults.get(key), perProfile.get(key)));
      }
      return Collections.unmodifiableMap(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a config file of {@code KEY=value} lines ({@code #} comments, optional {@code export}).
   */
  static Map<String, String> readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          CONFIG_FILE + " names " + file + ", which is not a readable file");
    }
    Map<String, String> values = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file)) {
      int n = 0;
      for (String line : lines(in)) {
        n++;
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        if (t.startsWith("export ")) {
          t = t.substring("export ".length()).strip();
        }
        int eq = t.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              file + ":" + n + ": expected KEY=value, got '" + line + "'");
        }
        String value = t.substring(eq + 1).strip();
        if (value.length() >= 2
            && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
          value = value.substring(1, value.length() - 1);
        }
        values.put(t.substring(0, eq).strip(), value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CONFIG_FILE + " " + file, e);
    }
    return Collections.unmodifiableMap(values);
  }

  private static List<String> lines(InputStream in) throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return r.lines().toList();
    }
  }
}
