package io.engram.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Retrainings.Report;
import io.engram.contract.Retrainings.StudyView;
import io.engram.contract.Retrainings.TrialView;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The study chart as a parsed SVG document: its marks, its best-so-far line and its labels. */
class StudyChartTest {
  private static final String OBJECTIVE = "ndcg@10 (fit/validation)";

  @TempDir Path tmp;

  @Test
  void each_complete_trial_is_a_point_and_each_pruned_one_a_cross_at_its_last_report()
      throws Exception {
    StudyView study =
        study(
            "maximize",
            complete(0, 0.61),
            pruned(1, 0.40, 0.35),
            complete(2, 0.70),
            failed(3),
            complete(4, 0.66),
            pruned(5, 0.52),
            complete(6, 0.74),
            running(7));

    Document svg = parse(StudyChart.svg(study));

    List<Element> points = elements(svg, "circle", "complete");
    List<Element> crosses = elements(svg, "path", "pruned");
    List<Element> failures = elements(svg, "path", "failed");
    // The legend shows one of each; the plot has one per trial.
    assertThat(points).hasSize(4 + 1);
    assertThat(crosses).hasSize(2 + 1);
    assertThat(failures).hasSize(1 + 1);
    List<Element> plotted = points.subList(0, 4);
    assertThat(plotted)
        .extracting(p -> p.getElementsByTagName("title").item(0).getTextContent())
        .containsExactly(
            "trial 0: 0.6100 {mode=dense}",
            "trial 2: 0.7000 {mode=dense}",
            "trial 4: 0.6600 {mode=dense}",
            "trial 6: 0.7400 {mode=dense}");
    // Later trials lie further right; a higher value is drawn higher (a smaller y).
    List<Double> xs = plotted.stream().map(p -> number(p, "cx")).toList();
    assertThat(xs).isSortedAccordingTo(Double::compare).doesNotHaveDuplicates();
    assertThat(number(plotted.get(3), "cy")).isLessThan(number(plotted.get(1), "cy"));
    assertThat(number(plotted.get(1), "cy")).isLessThan(number(plotted.get(2), "cy"));
    // The cross of trial 1 stands at 0.35, its last report, below every complete trial.
    Element cross = crosses.get(0);
    assertThat(cross.getElementsByTagName("title").item(0).getTextContent())
        .startsWith("trial 1: pruned at step 1 (0.3500)");
    double crossY = crossCentreY(cross);
    assertThat(crossY).isGreaterThan(number(plotted.get(0), "cy"));
  }

  @Test
  void the_best_line_only_ever_improves_and_ends_at_the_best_trial() throws Exception {
    StudyView study =
        study(
            "maximize",
            complete(0, 0.61),
            complete(1, 0.55),
            complete(2, 0.70),
            pruned(3, 0.40),
            complete(4, 0.66),
            complete(5, 0.74),
            complete(6, 0.73));

    Document svg = parse(StudyChart.svg(study));

    List<double[]> line = polyline(svg);
    for (int i = 1; i < line.size(); i++) {
      assertThat(line.get(i)[0]).as("x of point %d", i).isGreaterThanOrEqualTo(line.get(i - 1)[0]);
      // Higher is better and drawn with a smaller y: the line never goes down the page.
      assertThat(line.get(i)[1]).as("y of point %d", i).isLessThanOrEqualTo(line.get(i - 1)[1]);
    }
    // Three improvements (0.61, 0.70, 0.74): a start, a step up for each later one, an end.
    assertThat(line).hasSize(1 + 2 * 2 + 1);
    Element best = elements(svg, "circle", "complete").get(4);
    assertThat(line.get(line.size() - 1)[1]).isEqualTo(number(best, "cy"));
    assertThat(line.get(line.size() - 1)[0])
        .isEqualTo(number(elements(svg, "circle", "complete").get(5), "cx"));
  }

  @Test
  void when_lower_is_better_the_best_line_only_ever_goes_down() throws Exception {
    StudyView study =
        study("minimize", complete(0, 3.0), complete(1, 4.0), complete(2, 2.5), complete(3, 1.0));

    List<double[]> line = polyline(parse(StudyChart.svg(study)));

    for (int i = 1; i < line.size(); i++) {
      assertThat(line.get(i)[1]).isGreaterThanOrEqualTo(line.get(i - 1)[1]);
    }
    assertThat(line).hasSize(1 + 2 * 2 + 1);
  }

  @Test
  void axes_carry_labels_and_the_title_names_the_study() throws Exception {
    Document svg = parse(StudyChart.svg(study("maximize", complete(0, 0.5), complete(1, 0.6))));

    List<String> labels =
        elements(svg, "text", "axis-label").stream().map(Element::getTextContent).toList();
    assertThat(labels).containsExactly("trial", OBJECTIVE);
    assertThat(elements(svg, "text", "title").get(0).getTextContent())
        .isEqualTo("study 12 of scifact: 2 trials (tpe, higher is better)");
    assertThat(elements(svg, "text", "tick"))
        .extracting(Element::getTextContent)
        .contains("0", "1");
  }

  @Test
  void a_study_without_finished_trials_is_an_empty_chart_without_a_line() throws Exception {
    Document svg = parse(StudyChart.svg(study("maximize", running(0))));

    assertThat(polylines(svg)).isEmpty();
    assertThat(elements(svg, "circle", "complete")).hasSize(1);
    assertThat(elements(svg, "text", "empty").get(0).getTextContent())
        .isEqualTo("no finished trials yet");
  }

  @Test
  void text_is_escaped_and_the_file_is_written_where_asked() throws Exception {
    StudyView study =
        new StudyView(
            3,
            "c",
            "random",
            "complete",
            null,
            "a < b & \"c\"",
            "maximize",
            0,
            List.of(complete(0, 0.5)));

    Path written = StudyChart.write(study, tmp.resolve("charts/study.svg"));

    assertThat(written).isEqualTo(tmp.resolve("charts/study.svg").toAbsolutePath());
    Document svg = parse(Files.readString(written));
    assertThat(elements(svg, "text", "axis-label").get(1).getTextContent())
        .isEqualTo("a < b & \"c\"");
  }

  private static StudyView study(String direction, TrialView... trials) {
    return new StudyView(
        12, "scifact", "tpe", "complete", "patience", OBJECTIVE, direction, null, List.of(trials));
  }

  private static TrialView complete(int number, double value) {
    return new TrialView(
        number, "complete", value, 1.5, Map.of("mode", "dense"), List.of(new Report(0, value)));
  }

  private static TrialView pruned(int number, double... reports) {
    List<Report> r = new ArrayList<>();
    for (int i = 0; i < reports.length; i++) {
      r.add(new Report(i, reports[i]));
    }
    return new TrialView(number, "pruned", null, 0.5, Map.of(), r);
  }

  private static TrialView failed(int number) {
    return new TrialView(number, "failed", null, 0.1, Map.of(), List.of());
  }

  private static TrialView running(int number) {
    return new TrialView(number, "running", null, null, Map.of(), List.of());
  }

  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Element> elements(Document svg, String tag, String cls) {
    NodeList nodes = svg.getElementsByTagName(tag);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      if (cls.equals(e.getAttribute("class"))) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<Element> polylines(Document svg) {
    return elements(svg, "polyline", "best");
  }

  private static List<double[]> polyline(Document svg) {
    List<Element> lines = polylines(svg);
    assertThat(lines).hasSize(1);
    List<double[]> points = new ArrayList<>();
    for (String pair : lines.get(0).getAttribute("points").trim().split("\\s+")) {
      String[] xy = pair.split(",");
      points.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
    }
    return points;
  }

  private static double number(Element e, String attribute) {
    return Double.parseDouble(e.getAttribute(attribute));
  }

  /** The centre of a cross drawn as {@code M x-r y-r L x+r y+r M …}. */
  private static double crossCentreY(Element cross) {
    String[] parts = cross.getAttribute("d").replaceAll("[ML]", " ").trim().split("\\s+");
    return (Double.parseDouble(parts[1]) + Double.parseDouble(parts[3])) / 2;
  }
}
