package io.engram.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress on stderr. On a terminal it redraws one line in place; elsewhere (CI logs, files) it
 * prints a plain line at most every few seconds, because carriage returns turn logs into noise.
 */
final class ProgressBar {

  private static final int WIDTH = 30;
  private static final long REDRAW_INTERVAL_MS = 100;
  static final long PLAIN_INTERVAL_MS = 5_000;

  private final PrintWriter err;
  private final boolean interactive;
  private final String label;
  private final LongSupplier clock;

  private long lastPrintMs;
  private boolean printedAny;
  private String lastLine = "";
  private String pendingLine;
  private int drawnWidth;

  ProgressBar(PrintWriter err, boolean interactive, String label) {
    this(err, interactive, label, System::currentTimeMillis);
  }

  ProgressBar(PrintWriter err, boolean interactive, String label, LongSupplier clock) {
    this.err = err;
    this.interactive = interactive;
    this.label = label;
    this.clock = clock;
  }

  /** True when stderr should get a redrawn bar rather than occasional plain lines. */
  static boolean terminalAttached() {
    return System.console() != null;
  }

  /**
   * Reports that {@code current} of {@code total} units are done. Calls may be arbitrarily
   * frequent; output is throttled here so callers need not care.
   */
  void update(long current, long total, String detail) {
    String line = render(current, total, detail);
    if (!interactive && line.equals(lastLine)) {
      // A log gets a line when something changed, not one every interval while a slow phase
      // (an LLM answering) stands still.
      pendingLine = null;
      return;
    }
    long now = clock.getAsLong();
    long interval = interactive ? REDRAW_INTERVAL_MS : PLAIN_INTERVAL_MS;
    if (printedAny && now - lastPrintMs < interval) {
      pendingLine = line;
      return;
    }
    print(line, now);
  }

  /** Shows the latest state, so the last thing on screen matches the end result. */
  void finish() {
    if (pendingLine != null && !pendingLine.equals(lastLine)) {
      print(pendingLine, clock.getAsLong());
    }
    if (interactive && printedAny) {
      err.println();
      err.flush();
    }
    printedAny = false;
  }

  private void print(String line, long now) {
    if (interactive) {
      // Pads with spaces so a shorter line fully covers the previous one.
      int pad = Math.max(0, drawnWidth - line.length());
      TerminalSafe.returnToLineStart(err);
      err.print(line + " ".repeat(pad));
      drawnWidth = line.length();
    } else {
      err.println(line);
    }
    err.flush();
    lastLine = line;
    pendingLine = null;
    lastPrintMs = now;
    printedAny = true;
  }

  String render(long current, long total, String detail) {
    StringBuilder line = new StringBuilder(label);
    if (total > 0) {
      double fraction = Math.min(1.0, Math.max(0.0, (double) current / total));
      if (interactive) {
        int filled = (int) Math.round(fraction * WIDTH);
        line.append(" [").append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append(']');
      }
      line.append(
          String.format(Locale.ROOT, " %3d%% %d/%d", (int) (fraction * 100), current, total));
    }
    if (detail != null && !detail.isBlank()) {
      line.append(' ').append(detail);
    }
    return line.toString();
  }
}
