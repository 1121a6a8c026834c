package io.engram.core.logging;

import com.fasterxml.jackson.core.JsonStreamContext;
import io.engram.core.config.SettingsSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.logstash.logback.mask.ValueMasker;

/**
 * Masks the values of secret settings (the database password, the LLM's API key: every setting
 * whose name says it is a credential, and a password inside a URL setting) wherever they would
 * appear in a JSON log line: the message, an argument, an MDC field, a stack trace. Code does not
 * log secrets to begin with (settings print masked); this is the net under a library's exception
 * message that quotes a connection string.
 *
 * <p>Values are remembered from every {@link SettingsSource} a process reads its settings from, so
 * the masker knows them before the first line that could carry one.
 */
public final class LogSecrets implements ValueMasker {
  /** What a secret is replaced with. */
  public static final String MASK = "****";

  /** Shorter values are not masked: they would garble ordinary words and are no secret anyway. */
  static final int MIN_LENGTH = 4;

  private static final Set<String> VALUES = ConcurrentHashMap.newKeySet();

  /** Remembers the values of the secret settings {@code source} resolves. */
  public static void remember(SettingsSource source) {
    for (SettingsSource.Resolved r : source.resolveAll()) {
      for (String credential : r.credentials()) {
        if (credential.length() >= MIN_LENGTH) {
          VALUES.add(credential);
        }
      }
    }
  }

  /** {@code text} with every remembered secret replaced by {@link #MASK}. */
  public static String mask(String text) {
    if (text == null) {
      return null;
    }
    String masked = text;
    for (String secret : VALUES) {
      if (masked.contains(secret)) {
        masked = masked.replace(secret, MASK);
      }
    }
    return masked;
  }

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (value instanceof CharSequence text && !VALUES.isEmpty()) {
      String s = text.toString();
      String masked = mask(s);
      // The decorator writes the value as it was when the masker returns null.
      return masked.equals(s) ? null : masked;
    }
    return null;
  }
}
