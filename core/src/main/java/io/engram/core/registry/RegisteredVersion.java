package io.engram.core.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One registered model version of a collection, as the registry holds it.
 *
 * @param id the row's id
 * @param version its number within the collection, from 1
 * @param indexVersionId the index version it searches
 * @param artifacts the stored blobs it needs
 * @param metrics figures per eval set (e.g. {@code scifact/train/held-out}): {@code ndcgAt10}, …
 * @param lineage what it was made from: data fingerprint, parent version, study, code commit
 * @param gates the gates' verdicts; empty when it was not gated
 * @param status {@code registered}, {@code rejected} or {@code archived}
 * @param aliases the aliases that point at it now
 */
public record RegisteredVersion(
    long id,
    String collection,
    int version,
    int indexVersionId,
    ModelBundle bundle,
    List<Artifact> artifacts,
    Map<String, Map<String, Object>> metrics,
    Map<String, Object> lineage,
    List<Gate> gates,
    String status,
    Map<String, String> tags,
    String createdBy,
    String reason,
    Instant createdAt,
    List<String> aliases) {

  public static final String REGISTERED = "registered";
  public static final String REJECTED = "rejected";
  public static final String ARCHIVED = "archived";

  /** A blob the version needs, e.g. its reranker's weights. */
  public record Artifact(String name, String sha256, long size) {}

  /** One gate's verdict. */
  public record Gate(String name, boolean passed, String reason) {}

  /** The name responses and results report: {@code <collection>/v<N>}. */
  public String label() {
    return label(collection, version);
  }

  public static String label(String collection, int version) {
    return collection + "/v" + version;
  }

  /**
   * A registered version as callers name it: {@code v3}, {@code 3} or {@code <collection>/v3} (the
   * {@link #label()}). The API checks an evaluation's {@code model} with it before a workflow
   * starts, the evaluation resolves it again when it runs; one parser keeps the two in agreement.
   *
   * @param collection the collection the name carries, or null when it carries none
   */
  public record Reference(String collection, int version) {
    // Nine digits at most, so a number always fits an int; index version names never match.
    private static final Pattern NAME =
        Pattern.compile("^(?:([a-z0-9][a-z0-9_.~-]*)/)?v?(\\d{1,9})$");

    /** The reference {@code name} spells, or empty when it names no registered version. */
    public static Optional<Reference> parse(String name) {
      Matcher m = name == null ? null : NAME.matcher(name);
      if (m == null || !m.matches()) {
        return Optional.empty();
      }
      return Optional.of(new Reference(m.group(1), Integer.parseInt(m.group(2))));
    }
  }
}
