package io.engram.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL database (with pgvector) every process uses.
 *
 * @param url JDBC URL
 * @param user database user
 * @param password database password; never shown by {@link #toString()}
 * @param migrateOnStart whether processes apply Flyway migrations when they start
 * @param connectTimeout how long a request waits for a pooled connection before it fails (the API
 *     then answers 503): while the database is down, requests fail after this instead of queueing
 */
public record DatabaseSettings(
    String url, String user, String password, boolean migrateOnStart, Duration connectTimeout) {

  public DatabaseSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "ENGRAM_DB_URL must be a jdbc:postgresql: URL, got " + redact(url));
    }
    user = user == null ? "" : user;
    password = password == null ? "" : password;
  }

  /** Removes a password from a URL so it can appear in an error message or a log line. */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }

  /**
   * The credentials a URL carries: the values of its {@code password=} parameters and the password
   * of a {@code //user:password@} authority.
   */
  public static List<String> credentialsIn(String url) {
    List<String> found = new ArrayList<>();
    Matcher parameter = PASSWORD_PARAMETER.matcher(url);
    while (parameter.find()) {
      found.add(parameter.group(1));
    }
    Matcher authority = AUTHORITY_PASSWORD.matcher(url);
    if (authority.find()) {
      found.add(authority.group(1));
    }
    return found.stream().filter(v -> !v.isEmpty()).toList();
  }

  private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)[?&;]password=([^&]*)");
  private static final Pattern AUTHORITY_PASSWORD = Pattern.compile("//[^/@:]*:([^/@]*)@");

  @Override
  public String toString() {
    return "DatabaseSettings[url=%s, user=%s, migrateOnStart=%s, connectTimeout=%s]"
        .formatted(redact(url), user, migrateOnStart, connectTimeout);
  }
}
