package io.engram.cli;

import java.io.PrintWriter;
import java.util.List;

/**
 * The text tables of the CLI ({@code models}, {@code keys}, {@code schedules}): left-aligned
 * columns two spaces apart, each as wide as its widest cell, the last one not padded.
 */
final class Table {

  private Table() {}

  /**
   * Prints rows as left-aligned columns, the first row being the header. A cell's control
   * characters, line breaks included, are shown as escapes ({@link TerminalSafe#cell}): a name
   * cannot break a row in two or fake another.
   */
  static void print(PrintWriter out, List<String[]> given) {
    List<String[]> rows =
        given.stream()
            .map(row -> java.util.Arrays.stream(row).map(TerminalSafe::cell).toArray(String[]::new))
            .toList();
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(i == 0 ? "" : "  ");
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length()));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
