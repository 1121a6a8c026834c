package io.engram.core.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The text log's message and stack trace with every secret setting's value masked, as the JSON
 * log's are ({@link LogSecrets}): {@code %maskedMsg} and {@code %maskedEx} in {@code
 * logback-engram.xml}.
 */
public final class MaskedMessage extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return LogSecrets.mask(super.convert(event));
  }

  /** The stack trace, masked. */
  public static final class Throwable extends ThrowableProxyConverter {
    @Override
    public String convert(ILoggingEvent event) {
      return LogSecrets.mask(super.convert(event));
    }
  }
}
