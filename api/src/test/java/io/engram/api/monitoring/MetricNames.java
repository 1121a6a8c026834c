package io.engram.api.monitoring;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics a PromQL expression (or a Grafana query: {@code $variables}, {@code label_values(…)})
 * reads, found by stripping everything that is not a metric name: strings, label matchers, ranges,
 * grouping label lists, functions, keywords and numbers. Each metric comes with the {@code job} its
 * selector names, if any.
 */
public final class MetricNames {
  /**
   * A metric an expression selects, and the job its selector names ({@code null}: any; a regular
   * expression when the selector matches the job with {@code =~}).
   */
  public record Selector(String metric, String job) {
    /** Whether this selector reads the metric of {@code job}. */
    public boolean selects(String job) {
      return this.job == null || job.matches(this.job);
    }
  }

  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "inf",
          "nan",
          "atan2",
          "start",
          "end");

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|`[^`]*`");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
  private static final Pattern NUMBER =
      Pattern.compile("(?<![\\w:\u0003])\\d+(\\.\\d+)?([eE][+-]?\\d+)?[smhdwy]?(?![\\w:])");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.*),\\s*\\w+\\s*\\)\\s*$", Pattern.DOTALL);
  private static final Pattern JOB = Pattern.compile("\\bjob\\s*=~?\\s*\"([^\"]*)\"");

  private MetricNames() {}

  /** The metric names {@code expression} reads. */
  public static Set<String> in(String expression) {
    Set<String> names = new TreeSet<>();
    selectors(expression).forEach(s -> names.add(s.metric()));
    return names;
  }

  /** The selectors of {@code expression}, in order of appearance. */
  public static List<Selector> selectors(String expression) {
    String e = expression;
    Matcher lv = LABEL_VALUES.matcher(e);
    if (lv.matches()) {
      e = lv.group(1);
    }
    e = VARIABLE.matcher(e).replaceAll(" ");
    // Label matchers are kept apart, by position, to find each selector's job.
    List<String> matchers = new ArrayList<>();
    StringBuilder skeleton = new StringBuilder();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    String withoutStrings;
    Matcher strings = STRING.matcher(e);
    StringBuilder masked = new StringBuilder();
    List<String> literals = new ArrayList<>();
    while (strings.find()) {
      literals.add(strings.group());
      strings.appendReplacement(
          masked, Matcher.quoteReplacement("\u0001" + (literals.size() - 1) + "\u0002"));
    }
    strings.appendTail(masked);
    withoutStrings = masked.toString();
    for (char c : withoutStrings.toCharArray()) {
      if (c == '{' || c == '[') {
        if (depth++ == 0) {
          current.setLength(0);
          if (c == '{') {
            skeleton.append(" \u0003").append(matchers.size()).append(' ');
          } else {
            skeleton.append(' ');
          }
        }
        current.append(c);
      } else if (c == '}' || c == ']') {
        current.append(c);
        if (--depth == 0 && c == '}') {
          matchers.add(restore(current.toString(), literals));
        }
      } else if (depth > 0) {
        current.append(c);
      } else {
        skeleton.append(c);
      }
    }
    String s = GROUPING.matcher(skeleton.toString()).replaceAll(" ");
    s = s.replaceAll("\u0001\\d+\u0002", " ");
    s = NUMBER.matcher(s).replaceAll(" ");
    List<Selector> selectors = new ArrayList<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String name = m.group();
      String rest = s.substring(m.end());
      if (KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))
          || rest.stripLeading().startsWith("(")) {
        continue;
      }
      String job = null;
      Matcher matcherRef = Pattern.compile("^\\s*\u0003(\\d+)").matcher(rest);
      if (matcherRef.find()) {
        Matcher j = JOB.matcher(matchers.get(Integer.parseInt(matcherRef.group(1))));
        job = j.find() ? j.group(1) : null;
      }
      selectors.add(new Selector(name, job));
    }
    return List.copyOf(new LinkedHashSet<>(selectors));
  }

  private static String restore(String text, List<String> literals) {
    Matcher m = Pattern.compile("\u0001(\\d+)\u0002").matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(
          out, Matcher.quoteReplacement(literals.get(Integer.parseInt(m.group(1)))));
    }
    m.appendTail(out);
    return out.toString();
  }
}
