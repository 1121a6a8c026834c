package io.engram.core.logging;

import java.util.Locale;

/**
 * How a process writes its log ({@code ENGRAM_LOG_FORMAT}): lines of text for a terminal, or one
 * JSON object per line for a log pipeline, with the request id in the API and the workflow id, run
 * id and activity type in the worker as fields.
 */
public enum LogFormat {
  TEXT,
  JSON;

  /** The name of the appender of this format in {@code logback-engram.xml}. */
  public String appender() {
    return name().toLowerCase(Locale.ROOT);
  }
}
