package io.engram.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Models;
import io.engram.contract.Models.AliasList;
import io.engram.contract.Models.AliasMove;
import io.engram.contract.Models.Archive;
import io.engram.contract.Models.VersionList;
import io.engram.contract.Models.VersionView;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The model registry: a collection's versions, two versions side by side, and the hand-made changes
 * (move an alias, archive a version). Everything goes through {@code /v1/models}.
 */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = {
      "The model registry: each collection's numbered versions (index version, retrieval"
          + " settings, reranker, answer model), their metrics, and the aliases champion (it"
          + " serves), staging (it passed the gates) and previous (the rollback target)."
    },
    subcommands = {
      ModelsCommand.ListVersions.class,
      ModelsCommand.Show.class,
      ModelsCommand.Diff.class,
      ModelsCommand.Promote.class,
      ModelsCommand.ArchiveVersion.class
    })
final class ModelsCommand extends CommandGroup {

  /**
   * {@code --collection NAME}: the collection whose model versions a command reads or changes, here
   * and in {@code rollout start}. Mixed in with {@code @Mixin}.
   */
  static final class CollectionOption {
    @Option(
        names = "--collection",
        paramLabel = "NAME",
        required = true,
        description = "The collection whose model versions these are.")
    String name;
  }

  /**
   * {@code --version N}: the registered version of the {@code --collection} a command acts on, here
   * and in {@code rollout start}. Mixed in with {@code @Mixin}.
   */
  static final class VersionOption {
    @Option(
        names = "--version",
        paramLabel = "N",
        required = true,
        converter = VersionNumber.class,
        description = "The registered version (3 or v3).")
    int number;
  }

  /** What every subcommand takes: the collection. */
  abstract static class Subcommand extends VersionSubcommand {
    @Mixin CollectionOption collection;
  }

  /** What {@code show}, {@code promote} and {@code archive} take too: the version they act on. */
  abstract static class OneVersion extends Subcommand {
    @Mixin VersionOption version;
  }

  /** Reads a version number written as {@code 3} or {@code v3}. */
  static final class VersionNumber implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      String digits = value.startsWith("v") ? value.substring(1) : value;
      try {
        int n = Integer.parseInt(digits);
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // Reported below with the accepted spelling.
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a version number (3 or v3)");
    }
  }

  @Command(
      name = "list",
      description = {
        "The collection's versions, newest first.",
        "Each with its aliases, status, NDCG@10 on the primary eval set (a held-out part when"
            + " there is one), and when and why it was registered. With --json a JSON list of"
            + " the versions."
      })
  static final class ListVersions extends Subcommand {
    @Override
    public Integer call() throws Exception {
      Reply<VersionList> reply = context.client().models(collection.name);
      context.print(reply.json().path("versions"), out -> print(out, reply.value()));
      return 0;
    }

    static void print(PrintWriter out, VersionList list) {
      if (list.versions().isEmpty()) {
        out.println(
            "no model versions in "
                + list.collection()
                + " yet; it is served by the configured bundle until one is registered");
        return;
      }
      String primary = primaryEvalSet(list.versions());
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"VERSION", "ALIASES", "STATUS", "NDCG@10", "CREATED (UTC)", "REASON"});
      for (VersionView v : list.versions()) {
        rows.add(
            new String[] {
              "v" + v.version(),
              v.aliases().isEmpty() ? "-" : String.join(",", v.aliases()),
              v.status(),
              primary == null ? "-" : figure("ndcgAt10", metric(v, primary, "ndcgAt10")),
              created(v.createdAt()),
              EngramClient.shorten(v.reason() == null ? "" : v.reason(), 60)
            });
      }
      Table.print(out, rows);
      out.println();
      out.println(
          primary == null
              ? "NDCG@10: no version has metrics recorded yet (retraining records them)"
              : "NDCG@10 on eval set " + primary);
    }
  }

  @Command(name = "show", description = "One version in full: bundle, index, metrics, lineage.")
  static final class Show extends OneVersion {

    @Override
    public Integer call() throws Exception {
      EngramClient client = context.client();
      Reply<VersionView> reply = client.model(collection.name, version.number);
      context.print(reply, (out, v) -> print(out, v, reply.json(), client.baseUrl()));
      return 0;
    }

    static void print(PrintWriter out, VersionView v, JsonNode json, String api) {
      out.println(
          v.label() + (v.aliases().isEmpty() ? "" : "  (" + String.join(", ", v.aliases()) + ")"));
      row(out, "status", v.status());
      row(out, "created", created(v.createdAt()) + " UTC by " + v.createdBy());
      row(out, "reason", v.reason());
      if (v.indexVersion() != null) {
        Models.IndexVersion i = v.indexVersion();
        row(
            out,
            "index",
            String.format(
                Locale.ROOT,
                "%s (%s, %d dimensions, chunks of %d overlapping %d)",
                i.name(),
                i.embeddingModel(),
                i.dimension(),
                i.chunkSize(),
                i.chunkOverlap()));
      }
      Models.Retrieval r = v.config().retrieval();
      row(
          out,
          "retrieval",
          String.format(
              Locale.ROOT,
              "mode=%s denseWeight=%s candidates=%d maxLexemeShare=%s rerank=%s",
              r.mode(),
              plain(r.denseWeight()),
              r.candidates(),
              plain(r.maxLexemeShare()),
              r.rerank()));
      Models.Reranker k = v.config().reranker();
      StringBuilder reranker = new StringBuilder(k.kind());
      if (k.artifact() != null) {
        reranker.append(" (weights: artifact ").append(k.artifact()).append(')');
      } else if (k.linearModel() != null) {
        reranker.append(" (weights: ").append(k.linearModel()).append(')');
      }
      if (k.crossEncoder() != null) {
        reranker.append(
            String.format(
                Locale.ROOT,
                " %s in %s (top %d, max length %d)",
                k.crossEncoder().name(),
                k.crossEncoder().dir(),
                k.crossEncoder().topN(),
                k.crossEncoder().maxLength()));
      }
      row(out, "reranker", reranker.toString());
      row(out, "answers", v.config().answerModel());
      if (!v.artifacts().isEmpty()) {
        out.println("  artifacts");
        for (Models.Artifact a : v.artifacts()) {
          out.printf(Locale.ROOT, "    %-12s %s  %d bytes%n", a.name(), a.sha256(), a.size());
        }
      }
      if (v.metrics().isEmpty()) {
        // The registry's metrics are the ones retraining measured and gated with; an eval run
        // measures a version without recording them here (it is kept in eval_runs).
        row(
            out,
            "metrics",
            "none recorded: a retraining records the metrics of the versions it registers"
                + " (./engram retrain --collection "
                + v.collection()
                + " --eval DIR); ./engram eval DIR"
                + " --model-version "
                + v.version()
                + " measures this one without recording them");
      } else {
        out.println("  metrics");
        for (Map.Entry<String, Map<String, Object>> set : new TreeMap<>(v.metrics()).entrySet()) {
          StringBuilder figures = new StringBuilder();
          for (String name : metricOrder(set.getValue().keySet())) {
            Object value = set.getValue().get(name);
            figures.append(figures.isEmpty() ? "" : " ").append(name).append('=');
            figures.append(value instanceof Number n ? figure(name, n) : value);
          }
          out.printf(Locale.ROOT, "    %-28s %s%n", set.getKey(), figures);
        }
      }
      if (!v.lineage().isEmpty()) {
        out.println("  lineage");
        Map<String, String> lineage = new TreeMap<>();
        json.path("lineage")
            .fields()
            .forEachRemaining(e -> lineage.put(e.getKey(), text(e.getValue())));
        lineage.forEach((key, value) -> out.printf(Locale.ROOT, "    %-16s %s%n", key, value));
        if (json.path("lineage").path("studyId").canConvertToLong()) {
          out.printf(
              Locale.ROOT,
              "    %-16s %s/v1/studies/%d/chart.svg%n",
              "study chart",
              api,
              json.path("lineage").path("studyId").asLong());
        }
      }
      if (!v.gates().isEmpty()) {
        out.println("  gates");
        for (Models.Gate g : v.gates()) {
          out.printf(
              Locale.ROOT,
              "    %-4s %-20s %s%n",
              g.passed() ? "pass" : "FAIL",
              g.name(),
              g.reason() == null ? "" : g.reason());
        }
      }
      if (!v.tags().isEmpty()) {
        out.println("  tags");
        new TreeMap<>(v.tags())
            .forEach((key, value) -> out.printf(Locale.ROOT, "    %-16s %s%n", key, value));
      }
    }
  }

  @Command(
      name = "diff",
      description = {
        "The config and metric deltas of two versions.",
        "Every field of the bundle and index version that differs, and per eval set each"
            + " metric of A, of B and B-A. Name the versions as --version A --version B or as two"
            + " arguments: diff --collection C 2 3."
      })
  static final class Diff extends Subcommand {
    @Option(
        names = "--version",
        paramLabel = "N",
        converter = VersionNumber.class,
        description = "A version (give two).")
    List<Integer> options = new ArrayList<>();

    @Parameters(
        paramLabel = "N",
        arity = "0..2",
        converter = VersionNumber.class,
        description = "The versions, when not given with --version.")
    List<Integer> positional = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      List<Integer> versions = new ArrayList<>(options);
      versions.addAll(positional);
      if (versions.size() != 2) {
        throw context.usageError("name two versions: --version A --version B (or A B)");
      }
      EngramClient client = context.client();
      Reply<VersionView> a = client.model(collection.name, versions.get(0));
      Reply<VersionView> b = client.model(collection.name, versions.get(1));
      Map<String, String[]> config = configDelta(a.json(), b.json());
      Map<String, Map<String, Double[]>> metrics = metricDelta(a.value(), b.value());
      context.print(
          json(a.value(), b.value(), config, metrics),
          out -> print(out, a.value(), b.value(), config, metrics));
      return 0;
    }

    /** Every field of the bundle and the index version whose value differs: path to [a, b]. */
    static Map<String, String[]> configDelta(JsonNode a, JsonNode b) {
      Map<String, String> left = new LinkedHashMap<>();
      Map<String, String> right = new LinkedHashMap<>();
      flatten("", a.path("config"), left);
      flatten("indexVersion.", a.path("indexVersion"), left);
      flatten("", b.path("config"), right);
      flatten("indexVersion.", b.path("indexVersion"), right);
      Set<String> fields = new LinkedHashSet<>(left.keySet());
      fields.addAll(right.keySet());
      Map<String, String[]> delta = new LinkedHashMap<>();
      for (String field : fields) {
        String l = left.getOrDefault(field, "-");
        String r = right.getOrDefault(field, "-");
        if (!l.equals(r)) {
          delta.put(field, new String[] {l, r});
        }
      }
      return delta;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
      if (node.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          flatten(prefix + e.getKey() + ".", e.getValue(), into);
        }
      } else if (!node.isMissingNode() && !node.isNull()) {
        into.put(prefix.substring(0, prefix.length() - 1), text(node));
      }
    }

    /** Per eval set of either version, each numeric metric: [a, b, b - a], null where absent. */
    static Map<String, Map<String, Double[]>> metricDelta(VersionView a, VersionView b) {
      Map<String, Map<String, Double[]>> delta = new TreeMap<>();
      Set<String> sets = new TreeSet<>(a.metrics().keySet());
      sets.addAll(b.metrics().keySet());
      for (String set : sets) {
        Map<String, Object> left = a.metrics().getOrDefault(set, Map.of());
        Map<String, Object> right = b.metrics().getOrDefault(set, Map.of());
        Set<String> names = new LinkedHashSet<>(left.keySet());
        names.addAll(right.keySet());
        Map<String, Double[]> figures = new LinkedHashMap<>();
        for (String name : metricOrder(names)) {
          if (name.equals("evalRunId")) {
            continue;
          }
          Double l = number(left.get(name));
          Double r = number(right.get(name));
          if (l == null && r == null) {
            continue;
          }
          figures.put(name, new Double[] {l, r, l == null || r == null ? null : r - l});
        }
        delta.put(set, figures);
      }
      return delta;
    }

    private static ObjectNode json(
        VersionView a,
        VersionView b,
        Map<String, String[]> config,
        Map<String, Map<String, Double[]>> metrics) {
      ObjectNode root = EngramClient.JSON.createObjectNode();
      root.put("collection", a.collection());
      root.put("a", a.version());
      root.put("b", b.version());
      var fields = root.putArray("config");
      config.forEach(
          (field, values) ->
              fields.addObject().put("field", field).put("a", values[0]).put("b", values[1]));
      ObjectNode sets = root.putObject("metrics");
      metrics.forEach(
          (set, figures) -> {
            ObjectNode s = sets.putObject(set);
            figures.forEach(
                (name, v) -> {
                  ObjectNode f = s.putObject(name);
                  f.put("a", v[0]);
                  f.put("b", v[1]);
                  f.put("delta", v[2]);
                });
          });
      return root;
    }

    private static void print(
        PrintWriter out,
        VersionView a,
        VersionView b,
        Map<String, String[]> config,
        Map<String, Map<String, Double[]>> metrics) {
      String va = "v" + a.version();
      String vb = "v" + b.version();
      out.println(a.collection() + ": " + va + " -> " + vb);
      out.println();
      if (config.isEmpty()) {
        out.println("config: the same bundle and index version");
      } else {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CONFIG", va, vb});
        config.forEach((field, v) -> rows.add(new String[] {field, v[0], v[1]}));
        Table.print(out, rows);
      }
      out.println();
      if (metrics.isEmpty()) {
        out.println("metrics: neither version has been evaluated yet");
        return;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"METRICS", va, vb, vb + "-" + va});
      metrics.forEach(
          (set, figures) -> {
            rows.add(new String[] {set, "", "", ""});
            figures.forEach(
                (name, v) ->
                    rows.add(
                        new String[] {
                          "  " + name, figure(name, v[0]), figure(name, v[1]), signed(name, v[2])
                        }));
          });
      Table.print(out, rows);
    }
  }

  @Command(
      name = "promote",
      description = {
        "Move an alias (champion by default) to a version.",
        "Moving champion keeps the version it leaves as previous. In production"
            + " (ENGRAM_PROFILE=prod) a champion move needs --approve."
      })
  static final class Promote extends OneVersion {

    @Option(
        names = "--alias",
        paramLabel = "ALIAS",
        defaultValue = "champion",
        description = "champion, staging or previous (default: ${DEFAULT-VALUE}).")
    String alias;

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        defaultValue = "promoted with ./engram models promote",
        description = "Why, for the audit (default: \"${DEFAULT-VALUE}\").")
    String reason;

    @Option(
        names = "--approve",
        description = "Approve a champion move; production refuses one without it.")
    boolean approve;

    @Override
    public Integer call() throws Exception {
      if (!Models.ALIASES.contains(alias)) {
        throw context.usageError("--alias must be one of " + String.join(", ", Models.ALIASES));
      }
      EngramClient client = context.client();
      Reply<VersionView> moved =
          client.moveAlias(
              collection.name, new AliasMove(alias, version.number, reason, approve ? true : null));
      context.print(
          moved,
          (out, v) -> {
            AliasList aliases = client.aliases(collection.name).value();
            out.println(alias + " of " + collection.name + " is now v" + v.version());
            aliases
                .aliases()
                .forEach((name, n) -> out.printf(Locale.ROOT, "  %-9s v%d%n", name, n));
          });
      return 0;
    }
  }

  @Command(
      name = "archive",
      description = {
        "Archive a version.",
        "It keeps its record but loses its aliases and cannot carry one again. The champion"
            + " cannot be archived; promote another version first."
      })
  static final class ArchiveVersion extends OneVersion {

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        required = true,
        description = "Why, for the audit.")
    String reason;

    @Override
    public Integer call() throws Exception {
      Reply<VersionView> archived =
          context.client().archive(collection.name, version.number, new Archive(reason));
      context.print(archived, (out, v) -> out.println("archived " + v.label()));
      return 0;
    }
  }

  /**
   * The eval set whose NDCG@10 the listing shows: a held-out part (nothing was fitted on it) when
   * any version has one, else any set; among several, the one most versions were evaluated on, then
   * by name. Null when no version has metrics.
   */
  static String primaryEvalSet(List<VersionView> versions) {
    Map<String, Integer> counts = new TreeMap<>();
    for (VersionView v : versions) {
      v.metrics().keySet().forEach(set -> counts.merge(set, 1, Integer::sum));
    }
    String best = null;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (best == null || better(e.getKey(), e.getValue(), best, counts.get(best))) {
        best = e.getKey();
      }
    }
    return best;
  }

  private static boolean better(String set, int count, String best, int bestCount) {
    boolean heldOut = set.endsWith("held-out");
    boolean bestHeldOut = best.endsWith("held-out");
    if (heldOut != bestHeldOut) {
      return heldOut;
    }
    return count > bestCount;
  }

  private static Number metric(VersionView v, String set, String name) {
    Object value = v.metrics().getOrDefault(set, Map.of()).get(name);
    return value instanceof Number n ? n : null;
  }

  private static Double number(Object value) {
    return value instanceof Number n ? n.doubleValue() : null;
  }

  /** The metrics the registry stores, in the order they are shown; others follow by name. */
  private static final List<String> METRICS =
      List.of("ndcgAt10", "mrrAt10", "recallAt10", "recallAt100", "p50Ms", "p95Ms", "evalRunId");

  static List<String> metricOrder(Set<String> names) {
    List<String> ordered = new ArrayList<>(names);
    ordered.sort(
        Comparator.comparingInt(
                (String n) -> METRICS.contains(n) ? METRICS.indexOf(n) : METRICS.size())
            .thenComparing(Comparator.naturalOrder()));
    return ordered;
  }

  /** A figure as shown: milliseconds to a tenth, ids whole, scores to four places. */
  static String figure(String name, Number value) {
    if (value == null) {
      return "-";
    }
    if (value instanceof Integer || value instanceof Long) {
      return value.toString();
    }
    return String.format(Locale.ROOT, name.endsWith("Ms") ? "%.1f" : "%.4f", value.doubleValue());
  }

  static String signed(String name, Double value) {
    return value == null
        ? "-"
        : String.format(Locale.ROOT, name.endsWith("Ms") ? "%+.1f" : "%+.4f", value);
  }

  private static String plain(double value) {
    return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static String text(JsonNode node) {
    return node.isValueNode() ? node.asText() : node.toString();
  }

  private static final DateTimeFormatter CREATED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  static String created(String instant) {
    try {
      return CREATED.format(Instant.parse(instant));
    } catch (RuntimeException e) {
      return instant;
    }
  }

  private static void row(PrintWriter out, String name, String value) {
    out.printf(Locale.ROOT, "  %-10s %s%n", name, value == null ? "" : value);
  }
}
