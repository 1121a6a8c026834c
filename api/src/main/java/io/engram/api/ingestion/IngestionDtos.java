package io.engram.api.ingestion;

import io.engram.workflows.ingestion.DocumentError;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.SerdeImport;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Request and response bodies of {@code /v1/ingestions}. */
@SerdeImport(DocumentError.class)
final class IngestionDtos {
  private IngestionDtos() {}

  /** An uploaded file: the client's path and the hash of the blob already uploaded. */
  @Serdeable
  record FileRef(
      @NotBlank @Size(max = 4096) String path,
      @NotBlank String sha256,
      @PositiveOrZero long size) {}

  /** Either a server-side {@code path} or uploaded {@code files} (with their {@code origin}). */
  @Serdeable
  record Create(
      @Nullable @Size(max = 4096) String path,
      @Nullable @Size(max = 1_000_000) List<@Valid FileRef> files,
      @Nullable @Size(max = 4096) String origin,
      @Nullable String collection,
      @Nullable @Min(64) @Max(100_000) Integer chunkSize,
      @Nullable @Min(0) @Max(50_000) Integer chunkOverlap) {}

  @Serdeable
  record Started(String workflowId, String runId) {}

  @Serdeable
  record Status(
      String workflowId,
      String runId,
      String status,
      String phase,
      int total,
      int done,
      int skipped,
      int failed,
      int tombstoned,
      long chunks,
      List<DocumentError> errors,
      List<String> tombstonedSample,
      @Nullable String failure) {}
}
