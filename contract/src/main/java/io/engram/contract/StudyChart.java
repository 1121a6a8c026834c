package io.engram.contract;

import io.engram.contract.Retrainings.Report;
import io.engram.contract.Retrainings.StudyView;
import io.engram.contract.Retrainings.TrialView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A hyperparameter study as a standalone SVG file, written by hand (no charting library): each
 * complete trial's value as a point over its number, each pruned trial as a cross at the last value
 * it reported before it was stopped, each failed trial as a triangle on the x axis, and the best
 * value so far as a step line. Elements carry a class ({@code complete}, {@code pruned}, {@code
 * failed}, {@code best}) and a {@code <title>} a browser shows on hover.
 */
public final class StudyChart {
  static final int WIDTH = 760;
  static final int HEIGHT = 440;
  private static final int LEFT = 80;
  private static final int RIGHT = 170;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;
  private static final int PLOT_WIDTH = WIDTH - LEFT - RIGHT;
  private static final int PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
  private static final int Y_TICKS = 5;
  private static final int MAX_X_TICKS = 10;
  private static final double MARK = 4.5;

  private final StudyView study;
  private final boolean maximize;
  private final double xLow;
  private final double xHigh;
  private final double yLow;
  private final double yHigh;

  private StudyChart(StudyView study) {
    this.study = study;
    this.maximize = !"minimize".equals(study.direction());
    int last = study.trials().stream().mapToInt(TrialView::number).max().orElse(0);
    this.xLow = -0.5;
    this.xHigh = last + 0.5;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (TrialView t : study.trials()) {
      Double y = plotted(t);
      if (y != null) {
        lo = Math.min(lo, y);
        hi = Math.max(hi, y);
      }
    }
    if (lo > hi) {
      lo = 0;
      hi = 1;
    }
    double pad = hi > lo ? (hi - lo) * 0.08 : Math.max(Math.abs(hi) * 0.05, 0.01);
    this.yLow = lo - pad;
    this.yHigh = hi + pad;
  }

  /** The chart of {@code study} as an SVG document. */
  public static String svg(StudyView study) {
    return new StudyChart(study).render();
  }

  /** Writes the chart of {@code study} to {@code file} and returns the file's absolute path. */
  public static Path write(StudyView study, Path file) throws IOException {
    Path target = file.toAbsolutePath().normalize();
    if (target.getParent() != null) {
      Files.createDirectories(target.getParent());
    }
    Files.writeString(target, svg(study), StandardCharsets.UTF_8);
    return target;
  }

  /**
   * Where a trial is drawn on the value axis: a complete trial at its value, a pruned one at its
   * last partial value; null for the others (failed, running, pruned before any report).
   */
  private static Double plotted(TrialView t) {
    if ("complete".equals(t.state())) {
      return t.value();
    }
    if ("pruned".equals(t.state()) && !t.intermediate().isEmpty()) {
      return t.intermediate().get(t.intermediate().size() - 1).value();
    }
    return null;
  }

  private String render() {
    StringBuilder svg = new StringBuilder();
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT));
    svg.append(
        """
        <style>
          .axis { stroke: #333; stroke-width: 1; }
          .grid { stroke: #ddd; stroke-width: 1; }
          .complete { fill: #1f77b4; }
          .pruned { stroke: #ff7f0e; stroke-width: 2; fill: none; }
          .failed { fill: #d62728; }
          .best { stroke: #2ca02c; stroke-width: 2; fill: none; }
        </style>
        <rect width="100%" height="100%" fill="white"/>
        """);
    text(svg, "title", LEFT + PLOT_WIDTH / 2.0, 24, "middle", null, title());
    axes(svg);
    long finished = study.trials().stream().filter(t -> !"running".equals(t.state())).count();
    if (finished == 0) {
      text(
          svg,
          "empty",
          LEFT + PLOT_WIDTH / 2.0,
          TOP + PLOT_HEIGHT / 2.0,
          "middle",
          null,
          "no finished trials yet");
    }
    // The line first, so the points stay visible on top of it.
    bestLine(svg);
    points(svg);
    legend(svg);
    svg.append("</svg>\n");
    return svg.toString();
  }

  private String title() {
    return String.format(
        Locale.ROOT,
        "study %d of %s: %d trials (%s, %s)",
        study.id(),
        study.collection(),
        study.trials().size(),
        study.sampler(),
        maximize ? "higher is better" : "lower is better");
  }

  private void axes(StringBuilder svg) {
    double x0 = LEFT;
    double y0 = TOP + PLOT_HEIGHT;
    for (int i = 0; i <= Y_TICKS; i++) {
      double value = yLow + (yHigh - yLow) * i / Y_TICKS;
      double y = y(value);
      line(svg, "grid", x0, y, x0 + PLOT_WIDTH, y);
      line(svg, "axis", x0 - 5, y, x0, y);
      text(svg, "tick", x0 - 8, y + 4, "end", null, String.format(Locale.ROOT, "%.3f", value));
    }
    int last = (int) Math.round(xHigh - 0.5);
    int step = Math.max(1, (int) Math.ceil((last + 1) / (double) MAX_X_TICKS));
    for (int n = 0; n <= last; n += step) {
      double x = x(n);
      line(svg, "axis", x, y0, x, y0 + 5);
      text(svg, "tick", x, y0 + 18, "middle", null, Integer.toString(n));
    }
    line(svg, "axis", x0, TOP, x0, y0);
    line(svg, "axis", x0, y0, x0 + PLOT_WIDTH, y0);
    text(svg, "axis-label", x0 + PLOT_WIDTH / 2.0, HEIGHT - 18, "middle", null, "trial");
    double yMid = TOP + PLOT_HEIGHT / 2.0;
    text(
        svg,
        "axis-label",
        20,
        yMid,
        "middle",
        String.format(Locale.ROOT, "rotate(-90 20 %.1f)", yMid),
        study.objective() == null ? "objective" : study.objective());
  }

  private void points(StringBuilder svg) {
    double baseline = TOP + PLOT_HEIGHT;
    for (TrialView t : study.trials()) {
      double x = x(t.number());
      Double value = plotted(t);
      if (value == null && !"failed".equals(t.state())) {
        // Running, or pruned before it reported anything: nothing to place.
        continue;
      }
      switch (t.state()) {
        case "complete" ->
            svg.append(
                String.format(
                    Locale.ROOT,
                    "<circle class=\"complete\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"><title>%s"
                        + "</title></circle>%n",
                    x,
                    y(value),
                    MARK,
                    escape(describe(t))));
        case "pruned" ->
            svg.append(
                String.format(
                    Locale.ROOT,
                    "<path class=\"pruned\" d=\"%s\"><title>%s</title></path>%n",
                    cross(x, y(value)),
                    escape(describe(t))));
        case "failed" ->
            svg.append(
                String.format(
                    Locale.ROOT,
                    "<path class=\"failed\" d=\"%s\"><title>%s</title></path>%n",
                    triangle(x, baseline),
                    escape(describe(t))));
        default -> {
          // A state this CLI does not know: nothing to draw for it.
        }
      }
    }
  }

  /** The best complete value so far, as steps: flat until a trial improves on it, then up. */
  private void bestLine(StringBuilder svg) {
    List<String> points = new ArrayList<>();
    Double best = null;
    int lastNumber = -1;
    for (TrialView t : study.trials().stream().sorted((a, b) -> a.number() - b.number()).toList()) {
      lastNumber = Math.max(lastNumber, t.number());
      if (!"complete".equals(t.state()) || t.value() == null) {
        continue;
      }
      double v = t.value();
      if (best == null) {
        best = v;
        points.add(point(t.number(), v));
      } else if (maximize ? v > best : v < best) {
        points.add(point(t.number(), best));
        best = v;
        points.add(point(t.number(), v));
      }
    }
    if (best == null) {
      return;
    }
    points.add(point(lastNumber, best));
    svg.append("<polyline class=\"best\" points=\"")
        .append(String.join(" ", points))
        .append("\"><title>best so far</title></polyline>\n");
  }

  private void legend(StringBuilder svg) {
    double x = LEFT + PLOT_WIDTH + 20;
    double y = TOP + 10;
    svg.append(
        String.format(
            Locale.ROOT,
            "<g class=\"legend\">%n"
                + "<circle class=\"complete\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>%n",
            x,
            y,
            MARK));
    text(svg, "legend-label", x + 12, y + 4, "start", null, "complete");
    y += 22;
    svg.append(String.format(Locale.ROOT, "<path class=\"pruned\" d=\"%s\"/>%n", cross(x, y)));
    text(svg, "legend-label", x + 12, y + 4, "start", null, "pruned (last report)");
    y += 22;
    svg.append(
        String.format(Locale.ROOT, "<path class=\"failed\" d=\"%s\"/>%n", triangle(x, y + MARK)));
    text(svg, "legend-label", x + 12, y + 4, "start", null, "failed");
    y += 22;
    line(svg, "best", x - 8, y, x + 8, y);
    text(svg, "legend-label", x + 12, y + 4, "start", null, "best so far");
    svg.append("</g>\n");
  }

  /** A pruned trial's mark: a cross centred on (x, y), as a path's {@code d}. */
  private static String cross(double x, double y) {
    return String.format(
        Locale.ROOT,
        "M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f",
        x - MARK,
        y - MARK,
        x + MARK,
        y + MARK,
        x - MARK,
        y + MARK,
        x + MARK,
        y - MARK);
  }

  /** A failed trial's mark: a triangle standing on (x, base), as a path's {@code d}. */
  private static String triangle(double x, double base) {
    return String.format(
        Locale.ROOT,
        "M%.1f %.1f L%.1f %.1f L%.1f %.1f Z",
        x,
        base - 2 * MARK,
        x + MARK,
        base,
        x - MARK,
        base);
  }

  private static String describe(TrialView t) {
    StringBuilder d = new StringBuilder("trial ").append(t.number()).append(": ");
    switch (t.state()) {
      case "complete" -> d.append(String.format(Locale.ROOT, "%.4f", t.value()));
      case "pruned" -> {
        Report last = t.intermediate().get(t.intermediate().size() - 1);
        d.append(String.format(Locale.ROOT, "pruned at step %d (%.4f)", last.step(), last.value()));
      }
      default -> d.append(t.state());
    }
    if (!t.params().isEmpty()) {
      d.append(' ').append(t.params());
    }
    return d.toString();
  }

  private String point(int number, double value) {
    return String.format(Locale.ROOT, "%.1f,%.1f", x(number), y(value));
  }

  private double x(double number) {
    return LEFT + (number - xLow) / (xHigh - xLow) * PLOT_WIDTH;
  }

  private double y(double value) {
    return TOP + (yHigh - value) / (yHigh - yLow) * PLOT_HEIGHT;
  }

  private static void line(
      StringBuilder svg, String cls, double x1, double y1, double x2, double y2) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n",
            cls,
            x1,
            y1,
            x2,
            y2));
  }

  private static void text(
      StringBuilder svg,
      String cls,
      double x,
      double y,
      String anchor,
      String transform,
      String content) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>%n",
            cls,
            x,
            y,
            anchor,
            transform == null ? "" : " transform=\"" + transform + "\"",
            escape(content)));
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
