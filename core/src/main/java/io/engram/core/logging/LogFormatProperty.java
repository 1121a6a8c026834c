package io.engram.core.logging;

import ch.qos.logback.core.PropertyDefinerBase;
import io.engram.core.config.SettingsSource;
import java.util.Map;

/**
 * Chooses the appender of {@code logback-engram.xml} when logback starts, before anything else
 * logs: {@code ENGRAM_LOG_FORMAT} as the settings give it (the profile's default, the config file,
 * the environment), the same value {@code ./engram config} shows. A value the settings refuse falls
 * back to text here; the process then fails at start with the setting's own message.
 */
public final class LogFormatProperty extends PropertyDefinerBase {
  /** The setting. */
  public static final String KEY = "ENGRAM_LOG_FORMAT";

  @Override
  public String getPropertyValue() {
    return of(System.getenv()).appender();
  }

  /** The format the settings in {@code environment} choose; text when they cannot be read. */
  static LogFormat of(Map<String, String> environment) {
    try {
      SettingsSource source = SettingsSource.of(environment);
      LogSecrets.remember(source);
      return source.choice(KEY, LogFormat.class);
    } catch (RuntimeException e) {
      return LogFormat.TEXT;
    }
  }
}
