package io.engram.contract;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * {@code /v1/blobs}: content-addressed uploads. A client asks which of its files' SHA-256 hashes
 * the API does not hold yet and uploads only those with {@code PUT /v1/blobs/{sha256}}.
 */
public final class Blobs {
  /** How many hashes one {@code POST /v1/blobs/missing} may carry. */
  public static final int MAX_HASHES = 10_000;

  private Blobs() {}

  /**
   * The hashes to check.
   *
   * @param hashes lowercase hex SHA-256 hashes
   */
  public record MissingBlobsRequest(
      @NotNull @Size(max = MAX_HASHES, message = SizeMessages.AT_MOST_ITEMS) List<String> hashes) {}

  /**
   * The hashes of the request the API does not hold.
   *
   * @param missing to upload before they are named in an ingestion or evaluation
   */
  public record MissingBlobs(List<String> missing) {
    public MissingBlobs {
      missing = missing == null ? List.of() : List.copyOf(missing);
    }
  }

  /** A stored upload. */
  public record StoredBlob(String sha256, long size) {}
}
