package io.engram.core.memory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the memory lifecycle behaves: lifetimes, salience, promotion thresholds and the schedules of
 * the maintenance jobs. Defaults come from an environment profile ({@code ENGRAM_PROFILE} = {@code
 * dev}, {@code test} or {@code prod}) and each value can be overridden by its own variable (see
 * {@code EngramSettings}). Validated once here.
 *
 * @param profile the profile the defaults came from
 * @param episodicTtl how long an episodic fact lives after it was stored or last cited
 * @param salienceHalfLife salience halves over this time without a citation
 * @param initialSalienceWeight a new fact's salience is its extractor confidence times this
 * @param citationBoost each citation closes this share of the gap between salience and 1
 * @param dedupSimilarity cosine similarity from which a fact about the same subject is a
 *     restatement
 * @param promotion what makes an episodic fact semantic
 * @param sessionIdle open sessions inactive for longer are closed by the session cleanup
 * @param maintenanceBatchSize rows per transaction in the maintenance jobs
 * @param schedules the schedule of each job, by job name (see {@link #JOBS})
 * @param incrementalIngest the directories the daily incremental ingestion re-ingests
 */
public record MemorySettings(
    String profile,
    Duration episodicTtl,
    Duration salienceHalfLife,
    double initialSalienceWeight,
    double citationBoost,
    double dedupSimilarity,
    Promotion promotion,
    Duration sessionIdle,
    int maintenanceBatchSize,
    Map<String, JobSchedule> schedules,
    List<IngestSource> incrementalIngest) {

  public static final String PROMOTION = "promotion";
  public static final String SALIENCE = "salience";
  public static final String TTL_CLEANUP = "ttl-cleanup";
  public static final String SESSION_CLEANUP = "session-cleanup";
  public static final String INCREMENTAL_INGEST = "incremental-ingest";

  /** The scheduled jobs, in the order they are listed. */
  public static final List<String> JOBS =
      List.of(PROMOTION, SALIENCE, TTL_CLEANUP, SESSION_CLEANUP, INCREMENTAL_INGEST);

  public static final List<String> PROFILES = List.of("dev", "test", "prod");

  /**
   * Promotion thresholds: a fact is promoted when its salience, citations and age all exceed them.
   */
  public record Promotion(double minSalience, int minCitations, Duration minAge, int batchSize) {
    public Promotion {
      if (!(minSalience >= 0 && minSalience <= 1)) {
        throw new IllegalArgumentException("promotion min salience must be in [0, 1]");
      }
      if (minCitations < 0) {
        throw new IllegalArgumentException("promotion min citations must not be negative");
      }
      requirePositive(minAge, "promotion min age");
      if (batchSize < 1 || batchSize > 10_000) {
        throw new IllegalArgumentException("promotion batch size must be in [1, 10000]");
      }
    }
  }

  /** When a job runs: a five-field cron expression (UTC), and whether it is registered at all. */
  public record JobSchedule(String cron, boolean enabled) {
    private static final Pattern CRON =
        Pattern.compile("^(@\\w+|\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+)$");

    public JobSchedule {
      cron = Objects.requireNonNull(cron, "cron").strip();
      if (!CRON.matcher(cron).matches()) {
        throw new IllegalArgumentException(
            "'" + cron + "' is not a five-field cron expression like '*/5 * * * *'");
      }
    }
  }

  /** A directory re-ingested into a collection. */
  public record IngestSource(String collection, Path path) {
    public IngestSource {
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(path, "path");
    }
  }

  public MemorySettings {
    if (!PROFILES.contains(profile)) {
      throw new IllegalArgumentException(
          "ENGRAM_PROFILE must be one of " + PROFILES + ", got '" + profile + "'");
    }
    requirePositive(episodicTtl, "episodic TTL");
    requirePositive(salienceHalfLife, "salience half-life");
    requirePositive(sessionIdle, "session idle time");
    if (!(initialSalienceWeight > 0 && initialSalienceWeight <= 1)) {
      throw new IllegalArgumentException("initial salience weight must be in (0, 1]");
    }
    if (!(citationBoost > 0 && citationBoost <= 1)) {
      throw new IllegalArgumentException("citation boost must be in (0, 1]");
    }
    if (!(dedupSimilarity > 0 && dedupSimilarity <= 1)) {
      throw new IllegalArgumentException("dedup similarity must be in (0, 1]");
    }
    Objects.requireNonNull(promotion, "promotion");
    if (maintenanceBatchSize < 1) {
      throw new IllegalArgumentException("maintenance batch size must be positive");
    }
    schedules = Map.copyOf(schedules);
    for (String job : JOBS) {
      if (!schedules.containsKey(job)) {
        throw new IllegalArgumentException("no schedule for job " + job);
      }
    }
    incrementalIngest = List.copyOf(incrementalIngest);
  }

  private static final Pattern SHORT_DURATION = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d|w)$");

  /**
   * Parses {@code 90s}, {@code 30m}, {@code 6h}, {@code 7d}, {@code 2w} or ISO-8601 ({@code P7D}).
   */
  public static Duration parseDuration(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    Matcher m = SHORT_DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        case "w" -> Duration.ofDays(7 * n);
        default -> throw new IllegalStateException("unreachable");
      };
    }
    try {
      return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a duration like 30m, 6h, 7d or P7D", e);
    }
  }

  /**
   * Parses {@code ENGRAM_INCREMENTAL_INGEST_DIRS}: comma-separated {@code [collection=]path}
   * entries; a path without a collection goes into {@code default}.
   */
  public static List<IngestSource> parseSources(String value) {
    List<IngestSource> sources = new ArrayList<>();
    for (String entry : value.split(",")) {
      String e = entry.strip();
      if (e.isEmpty()) {
        continue;
      }
      int eq = e.indexOf('=');
      String collection = eq > 0 ? e.substring(0, eq).strip() : "default";
      String path = eq > 0 ? e.substring(eq + 1).strip() : e;
      if (path.isEmpty()) {
        throw new IllegalArgumentException(
            "ENGRAM_INCREMENTAL_INGEST_DIRS entry '" + e + "' has no path");
      }
      sources.add(new IngestSource(collection, Path.of(path)));
    }
    return sources;
  }

  private static void requirePositive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive");
    }
  }

  /** The salience of a new fact extracted with {@code confidence}. */
  public double initialSalience(double confidence) {
    return Math.min(1.0, confidence * initialSalienceWeight);
  }
}
