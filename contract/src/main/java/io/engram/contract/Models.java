package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/models}: the model registry. Each collection has numbered versions, each a bundle of
 * index version, retrieval settings, reranker (its weights a stored artifact) and answer model,
 * with metrics per eval set, lineage and gate verdicts; the aliases {@code champion} (it serves),
 * {@code staging} (passed the gates) and {@code previous} (the rollback target) point at versions,
 * and every alias move is an audit event.
 */
public final class Models {
  /** The aliases a version can carry, in the order they are listed. */
  public static final List<String> ALIASES = List.of("champion", "staging", "previous");

  /** The longest reason an alias move or an archive may give, in UTF-16 characters. */
  public static final int MAX_REASON_CHARS = 500;

  /** The most audit events one request returns. */
  public static final int MAX_EVENTS = 1000;

  /** The most tags one request may change. */
  public static final int MAX_TAGS_PER_CHANGE = 32;

  /** The longest tag key; keys are made of letters, digits and {@code _ . : / -}. */
  public static final int MAX_TAG_KEY_CHARS = 64;

  /** The longest tag value. */
  public static final int MAX_TAG_VALUE_CHARS = 256;

  private Models() {}

  /**
   * Moves an alias to a version ({@code POST /v1/models/{collection}/aliases}). Moving {@code
   * champion} makes the version it leaves {@code previous}.
   *
   * @param alias {@code champion}, {@code staging} or {@code previous}
   * @param version the version number it moves to
   * @param reason why, for the audit
   * @param approve the explicit approval a {@code champion} move needs in production (default
   *     false)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AliasMove(
      @NotBlank @Size(max = 32, message = SizeMessages.AT_MOST_CHARS) String alias,
      @NotNull @Min(1) Integer version,
      @NotBlank @Size(max = MAX_REASON_CHARS, message = SizeMessages.AT_MOST_CHARS) String reason,
      Boolean approve) {}

  /**
   * Archives a version ({@code POST /v1/models/{collection}/versions/{version}:archive}): it keeps
   * its row but loses its aliases and cannot carry one again. The champion cannot be archived.
   *
   * @param reason why, for the audit
   */
  public record Archive(
      @NotBlank @Size(max = MAX_REASON_CHARS, message = SizeMessages.AT_MOST_CHARS)
          String reason) {}

  /** A collection's versions, newest first (an empty list when it has none). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VersionList(String collection, List<VersionView> versions) {
    public VersionList {
      versions = versions == null ? List.of() : List.copyOf(versions);
    }
  }

  /**
   * One registered version.
   *
   * @param version its number within the collection, from 1
   * @param label {@code <collection>/v<version>}, as query and evaluation results name it
   * @param aliases the aliases pointing at it now
   * @param status {@code registered}, {@code rejected} (failed its gates) or {@code archived}
   * @param metrics figures per eval set (e.g. {@code scifact/train/held-out}): {@code ndcgAt10},
   *     {@code mrrAt10}, {@code recallAt10}, {@code recallAt100}, {@code p95Ms}, {@code evalRunId}
   * @param config the bundle: how it retrieves, reranks and answers
   * @param indexVersion the index version it searches; null when that row is gone
   * @param artifacts the stored blobs it needs, e.g. its reranker's weights
   * @param lineage what it was made from: data fingerprint, parent version, study, code commit
   * @param gates the gates' verdicts; empty when it was not gated
   * @param tags free-form
   * @param createdAt ISO-8601 instant
   */
  // Empty lists and maps are sent as such (the API leaves out empty values otherwise): scripts
  // read aliases as a list whether or not any alias points at the version.
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VersionView(
      String collection,
      int version,
      String label,
      List<String> aliases,
      String status,
      Map<String, Map<String, Object>> metrics,
      Bundle config,
      IndexVersion indexVersion,
      List<Artifact> artifacts,
      Map<String, Object> lineage,
      List<Gate> gates,
      Map<String, String> tags,
      String createdBy,
      String reason,
      String createdAt) {

    public VersionView {
      aliases = aliases == null ? List.of() : List.copyOf(aliases);
      metrics = metrics == null ? Map.of() : metrics;
      artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
      lineage = lineage == null ? Map.of() : lineage;
      gates = gates == null ? List.of() : List.copyOf(gates);
      tags = tags == null ? Map.of() : tags;
    }
  }

  /**
   * What a version pins besides its index version.
   *
   * @param answerModel {@code extractive} or the LLM's name when it was registered
   */
  public record Bundle(Retrieval retrieval, Reranker reranker, String answerModel) {}

  /**
   * How a version retrieves (the {@code ENGRAM_RETRIEVAL_*} settings it was registered with).
   *
   * @param mode {@code hybrid} or {@code dense}
   */
  public record Retrieval(
      String mode, double denseWeight, int candidates, double maxLexemeShare, boolean rerank) {}

  /**
   * A version's reranker.
   *
   * @param kind {@code linear}, {@code cross-encoder} or {@code none}
   * @param artifact the SHA-256 of the stored weights of a linear reranker; null otherwise
   * @param linearModel the file a linear reranker was read from when it has no artifact
   * @param crossEncoder a cross-encoder's model and limits; null for other kinds
   */
  public record Reranker(
      String kind, String artifact, String linearModel, CrossEncoder crossEncoder) {}

  /** A cross-encoder reranker's model directory, name and limits. */
  public record CrossEncoder(
      String dir, String name, int maxLength, int topN, int batchSize, int threads) {}

  /** An index version: an embedding model and a chunking. */
  public record IndexVersion(
      String name, String embeddingModel, int dimension, int chunkSize, int chunkOverlap) {}

  /** A stored blob a version needs. */
  public record Artifact(String name, String sha256, long size) {}

  /** One gate's verdict. */
  public record Gate(String name, boolean passed, String reason) {}

  /**
   * Where a collection's aliases point.
   *
   * @param aliases alias to version number, in the order of {@link #ALIASES}; an alias that is not
   *     set is absent
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AliasList(String collection, Map<String, Integer> aliases) {
    public AliasList {
      aliases =
          aliases == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
    }
  }

  /** A collection's alias moves, newest first. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AliasEventList(String collection, List<AliasEvent> events) {
    public AliasEventList {
      events = events == null ? List.of() : List.copyOf(events);
    }
  }

  /**
   * One alias move.
   *
   * @param from the version it left; null when it was not set
   * @param to the version it moved to; null when it was removed (the version was archived)
   * @param actor who moved it: {@code api}, a workflow's name, {@code engram} for version 1
   * @param workflowId the workflow that moved it, when one did
   * @param at ISO-8601 instant
   */
  public record AliasEvent(
      String alias,
      Integer from,
      Integer to,
      String actor,
      String reason,
      String workflowId,
      String at) {}
}
