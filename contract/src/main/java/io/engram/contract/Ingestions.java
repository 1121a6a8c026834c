package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;

/** {@code /v1/ingestions}: start an ingestion workflow and follow its progress. */
public final class Ingestions {
  private Ingestions() {}

  /**
   * Either a server-side {@code path} or uploaded {@code files} (with their {@code origin}).
   *
   * @param collection the collection to ingest into (default: {@code default})
   * @param path an absolute path the API reads itself; only under its ingestion roots
   * @param origin where the uploaded files came from, e.g. the client's directory; a second
   *     ingestion of the same origin into the same collection while one runs attaches to it
   * @param files uploaded files, each uploaded first as a blob (each is validated as a {@link
   *     FileRef})
   * @param chunkSize chunk size in characters (default: the API's setting)
   * @param chunkOverlap overlap between chunks in characters, smaller than the chunk size
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record IngestionRequest(
      @Size(max = 63, message = SizeMessages.AT_MOST_CHARS) String collection,
      @Size(max = 4096, message = SizeMessages.AT_MOST_CHARS) String path,
      @Size(max = 4096, message = SizeMessages.AT_MOST_CHARS) String origin,
      @Size(max = 1_000_000, message = SizeMessages.AT_MOST_ITEMS) List<FileRef> files,
      @Min(MIN_CHUNK_SIZE) @Max(MAX_CHUNK_SIZE) Integer chunkSize,
      @Min(0) @Max(MAX_CHUNK_OVERLAP) Integer chunkOverlap) {}

  /** The smallest chunk size, in characters, a request may ask for. */
  public static final int MIN_CHUNK_SIZE = 64;

  /** The largest chunk size, in characters. */
  public static final int MAX_CHUNK_SIZE = 100_000;

  /** The largest chunk overlap, in characters (it must also be smaller than the chunk size). */
  public static final int MAX_CHUNK_OVERLAP = 50_000;

  /**
   * An uploaded file: the client's path and the hash of the blob already uploaded.
   *
   * @param path the file's path on the client, as it will be cited
   * @param sha256 the lowercase hex SHA-256 of its content
   * @param size its size in bytes
   */
  public record FileRef(
      @NotBlank @Size(max = 4096, message = SizeMessages.AT_MOST_CHARS) String path,
      @NotBlank @Size(max = 64, message = SizeMessages.AT_MOST_CHARS) String sha256,
      @PositiveOrZero long size) {}

  /**
   * The workflow the request started, or attached to.
   *
   * @param attached true when an ingestion of the same source into the same collection was already
   *     running and the request attached to it instead of starting a second one
   */
  public record IngestionStarted(String workflowId, String runId, boolean attached) {}

  /**
   * An ingestion's progress; final once {@code status} is one Temporal never leaves.
   *
   * @param status the workflow's status: {@code RUNNING}, {@code COMPLETED}, {@code FAILED}, …
   * @param phase what it is doing: {@code discovering}, {@code embedding}, {@code validating}
   *     (checking what it stored against the index), {@code following} (starting the rebuilds of
   *     the other indexes the collection can serve from) or {@code done}
   * @param total documents found
   * @param done documents ingested (new or changed)
   * @param skipped documents unchanged since the last ingestion
   * @param failed documents that could not be ingested, that validation failed, or that the source
   *     listed again under a source already listed (see {@code errors})
   * @param tombstoned documents gone from the source since the last ingestion
   * @param errors the failed documents and why (the first ones)
   * @param tombstonedSample some of the tombstoned documents
   * @param validation what the run's last step found when it checked the index it wrote; null until
   *     then, when the run stored nothing, and for runs older than validation
   * @param failure why the workflow failed, when it did
   */
  public record IngestionStatus(
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
      Validation validation,
      String failure) {

    public IngestionStatus {
      errors = errors == null ? List.of() : List.copyOf(errors);
      tombstonedSample = tombstonedSample == null ? List.of() : List.copyOf(tombstonedSample);
    }
  }

  /**
   * What an ingestion's validation found in the index version it wrote.
   *
   * @param checked documents of the run whose chunks were counted in the index
   * @param incomplete documents failed because the index lacks some of their chunks (their reasons
   *     are among the run's errors); the next ingestion stores them again
   * @param probed documents searched for by the vector of their first chunk
   * @param unreachable probed documents that search did not find
   * @param problems what is wrong with the index itself, each saying what to do
   */
  public record Validation(
      int checked, int incomplete, int probed, int unreachable, List<String> problems) {

    public Validation {
      problems = problems == null ? List.of() : List.copyOf(problems);
    }
  }

  /** A document that could not be ingested. */
  public record DocumentError(String source, String reason) {}
}
