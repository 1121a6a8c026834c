package io.engram.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Keeps what the API returns from steering the terminal: names, titles, reasons and messages come
 * from other users (a key's name, a file's name, an audit reason), and a control character in them
 * (an ESC sequence, a carriage return) would otherwise recolour, move or overwrite what a person
 * reads. The CLI's output goes through {@link #writer}, which shows such a character as its {@code
 * \\uXXXX} escape; a table cell, or a name on a line of its own, goes through {@link #cell}, which
 * does the same for line breaks and tabs so that a cell cannot fake a row.
 *
 * <p>JSON output passes unchanged in meaning: Jackson already escapes the C0 controls, and the
 * {@code \\uXXXX} a C1 control becomes inside a JSON string is the same character to a JSON reader.
 */
final class TerminalSafe {
  private TerminalSafe() {}

  /**
   * Whether {@code c} steers a terminal rather than shows: a C0 or C1 control (line breaks and tabs
   * are text here), a bidirectional override or isolate, which reverses what follows it, or a line
   * or paragraph separator.
   */
  static boolean steers(char c) {
    return (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
        || (c >= 0x7f && c <= 0x9f)
        || c == 0x200e
        || c == 0x200f
        || (c >= 0x2028 && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }

  /** One table cell: every control character, line breaks and tabs included, as its escape. */
  static String cell(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || steers(c)) {
        if (out == null) {
          out = new StringBuilder(text.length() + 8).append(text, 0, i);
        }
        out.append(escape(c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  /**
   * {@code target}, with every character that {@link #steers} written as its escape, and a carriage
   * return too unless a line feed follows it (a CRLF line end): alone it sends the cursor back to
   * overwrite the line, so an audit reason "ok\rrolled back" could show as something else. The
   * progress bar's own return goes through {@link Terminal#returnToLineStart}.
   */
  static Writer writer(Writer target) {
    return new FilterWriter(target) {
      @Override
      public void write(int c) throws IOException {
        if (steers((char) c) || c == '\r') {
          out.write(escape((char) c));
        } else {
          out.write(c);
        }
      }

      @Override
      public void write(char[] buffer, int offset, int length) throws IOException {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
          if (steers(buffer[i]) || (buffer[i] == '\r' && (i + 1 == end || buffer[i + 1] != '\n'))) {
            out.write(buffer, start, i - start);
            out.write(escape(buffer[i]));
            start = i + 1;
          }
        }
        out.write(buffer, start, end - start);
      }

      @Override
      public void write(String text, int offset, int length) throws IOException {
        char[] part = new char[length];
        text.getChars(offset, offset + length, part, 0);
        write(part, 0, length);
      }
    };
  }

  /**
   * The CLI's stdout or stderr: what is written shows steering characters as escapes ({@link
   * #writer}), and only {@link #returnToLineStart} sends the cursor back to the start of the line.
   */
  static final class Terminal extends PrintWriter {
    private final Writer raw;

    Terminal(Writer raw) {
      super(writer(raw), true);
      this.raw = raw;
    }

    /** Sends the cursor back to the start of the line, to redraw it (the progress bar). */
    void returnToLineStart() {
      flush();
      try {
        raw.write('\r');
        raw.flush();
      } catch (IOException e) {
        setError();
      }
    }
  }

  /**
   * Sends {@code w}'s cursor back to the start of the line: through {@link
   * Terminal#returnToLineStart} on the CLI's own writers, as a plain carriage return elsewhere.
   */
  static void returnToLineStart(PrintWriter w) {
    if (w instanceof Terminal terminal) {
      terminal.returnToLineStart();
    } else {
      w.print('\r');
    }
  }

  private static String escape(char c) {
    return String.format("\\u%04x", (int) c);
  }
}
