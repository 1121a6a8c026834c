package io.engram.core.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings shared by the worker and the API, read from environment variables once and validated.
 * The API binds the same names through Micronaut; the worker, which has no DI container, uses
 * {@link #fromEnvironment(Map)}.
 *
 * @param databaseUrl JDBC URL of PostgreSQL with the {@code vector} extension
 * @param databaseUser database user
 * @param databasePassword database password; never logged
 * @param temporalAddress host:port of the Temporal frontend
 * @param temporalNamespace Temporal namespace
 * @param embeddingModel name of the champion's embedding model (see {@code EmbeddingModels})
 * @param chunkSize default chunk size in characters
 * @param chunkOverlap default chunk overlap in characters
 * @param ingestRoots directories under which {@code POST /v1/ingestions {path}} may read
 * @param maxDocumentBytes documents larger than this fail alone with a reason
 * @param migrateOnStart whether to apply Flyway migrations at start-up
 */
public record EngramSettings(
    String databaseUrl,
    String databaseUser,
    String databasePassword,
    String temporalAddress,
    String temporalNamespace,
    String embeddingModel,
    int chunkSize,
    int chunkOverlap,
    List<Path> ingestRoots,
    long maxDocumentBytes,
    boolean migrateOnStart) {

  /** The environment variables read by {@link #fromEnvironment}. */
  public static final List<String> VARIABLES =
      List.of(
          "ENGRAM_DB_URL",
          "ENGRAM_DB_USER",
          "ENGRAM_DB_PASSWORD",
          "TEMPORAL_ADDRESS",
          "TEMPORAL_NAMESPACE",
          "ENGRAM_EMBEDDING_MODEL",
          "ENGRAM_CHUNK_SIZE",
          "ENGRAM_CHUNK_OVERLAP",
          "ENGRAM_INGEST_ROOTS",
          "ENGRAM_MAX_DOCUMENT_BYTES",
          "ENGRAM_MIGRATE_ON_START");

  public static final String DEFAULT_EMBEDDING_MODEL = "bge-small-en-v1.5-q";
  public static final int DEFAULT_CHUNK_SIZE = 1024;
  public static final int DEFAULT_CHUNK_OVERLAP = 200;
  public static final long DEFAULT_MAX_DOCUMENT_BYTES = 50L * 1024 * 1024;

  public EngramSettings {
    Objects.requireNonNull(databaseUrl, "databaseUrl");
    if (!databaseUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "ENGRAM_DB_URL must be a jdbc:postgresql: URL, got " + redact(databaseUrl));
    }
    Objects.requireNonNull(temporalAddress, "temporalAddress");
    temporalNamespace = temporalNamespace == null ? "default" : temporalNamespace;
    embeddingModel = embeddingModel == null ? DEFAULT_EMBEDDING_MODEL : embeddingModel;
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunk size must be positive, got " + chunkSize);
    }
    if (chunkOverlap < 0 || chunkOverlap >= chunkSize) {
      throw new IllegalArgumentException(
          "chunk overlap must be in [0, chunk size), got " + chunkOverlap);
    }
    ingestRoots = List.copyOf(ingestRoots);
    if (maxDocumentBytes <= 0) {
      throw new IllegalArgumentException("max document bytes must be positive");
    }
  }

  /** Reads the settings from environment variables, applying defaults that work on a laptop. */
  public static EngramSettings fromEnvironment(Map<String, String> env) {
    return new EngramSettings(
        env.getOrDefault("ENGRAM_DB_URL", "jdbc:postgresql://127.0.0.1:55432/engram"),
        env.getOrDefault("ENGRAM_DB_USER", "engram"),
        env.getOrDefault("ENGRAM_DB_PASSWORD", ""),
        env.getOrDefault("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
        env.getOrDefault("TEMPORAL_NAMESPACE", "default"),
        env.getOrDefault("ENGRAM_EMBEDDING_MODEL", DEFAULT_EMBEDDING_MODEL),
        Integer.parseInt(env.getOrDefault("ENGRAM_CHUNK_SIZE", String.valueOf(DEFAULT_CHUNK_SIZE))),
        Integer.parseInt(
            env.getOrDefault("ENGRAM_CHUNK_OVERLAP", String.valueOf(DEFAULT_CHUNK_OVERLAP))),
        parseRoots(env.getOrDefault("ENGRAM_INGEST_ROOTS", "")),
        Long.parseLong(
            env.getOrDefault(
                "ENGRAM_MAX_DOCUMENT_BYTES", String.valueOf(DEFAULT_MAX_DOCUMENT_BYTES))),
        Boolean.parseBoolean(env.getOrDefault("ENGRAM_MIGRATE_ON_START", "true")));
  }

  /** Parses a path-separator-delimited list of directories, ignoring blanks. */
  public static List<Path> parseRoots(String value) {
    return Arrays.stream(value.split(java.io.File.pathSeparator))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(Path::of)
        .toList();
  }

  /** Removes a password from a URL so it can appear in an error message or a log line. */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }

  @Override
  public String toString() {
    return "EngramSettings[databaseUrl=%s, databaseUser=%s, temporalAddress=%s, namespace=%s, model=%s, chunk=%d/%d, ingestRoots=%s]"
        .formatted(
            redact(databaseUrl),
            databaseUser,
            temporalAddress,
            temporalNamespace,
            embeddingModel,
            chunkSize,
            chunkOverlap,
            ingestRoots);
  }
}
