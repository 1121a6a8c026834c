package io.engram.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/**
 * Logs this JVM as a process with {@code ENGRAM_LOG_FORMAT=json} does, through the JSON appender of
 * {@code logback-engram.xml} itself, and keeps every line it writes; {@link #close} restores the
 * test logging.
 */
public final class JsonLogCapture implements AutoCloseable {
  private static final String CONFIG = "/io/engram/testing/logback-json-capture.xml";

  private final LoggerContext context;
  private final ByteArrayOutputStream lines = new ByteArrayOutputStream();

  private JsonLogCapture(LoggerContext context) {
    this.context = context;
  }

  /** Reconfigures logging to the JSON format and starts keeping its lines. */
  public static JsonLogCapture start() {
    return start("json");
  }

  /**
   * Reconfigures logging as {@link #start} does, and keeps the lines the text format would write
   * instead.
   */
  public static JsonLogCapture startText() {
    return start("text");
  }

  @SuppressWarnings("unchecked")
  private static JsonLogCapture start(String format) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    context.putProperty("ENGRAM_PROCESS", "engram-test");
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(
          Objects.requireNonNull(JsonLogCapture.class.getResource(CONFIG), CONFIG));
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure JSON logging", e);
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    var source =
        (OutputStreamAppender<ILoggingEvent>)
            context.getLogger("io.engram.core.logging.Unused").getAppender(format);
    if (source == null) {
      throw new IllegalStateException("logback-engram.xml has no appender '" + format + "'");
    }
    JsonLogCapture capture = new JsonLogCapture(context);
    OutputStreamAppender<ILoggingEvent> keeper = new OutputStreamAppender<>();
    keeper.setContext(context);
    keeper.setName("capture");
    keeper.setEncoder((Encoder<ILoggingEvent>) source.getEncoder());
    keeper.setOutputStream(capture.lines);
    keeper.start();
    root.addAppender(keeper);
    return capture;
  }

  /** Every line written so far. */
  public List<String> lines() {
    synchronized (lines) {
      return lines.toString(StandardCharsets.UTF_8).lines().toList();
    }
  }

  @Override
  public void close() {
    context.reset();
    try {
      new ContextInitializer(context).autoConfig();
    } catch (JoranException e) {
      throw new IllegalStateException("cannot restore the test logging", e);
    }
  }
}
