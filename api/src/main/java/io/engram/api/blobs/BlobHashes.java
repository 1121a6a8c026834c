package io.engram.api.blobs;

import io.engram.api.problems.Problems;
import io.engram.core.ingestion.BlobStore;
import io.engram.core.tenant.Tenant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the API checks of the blobs a request names by hash: that each hash is one, and (for a
 * request that reads them, such as an evaluation's queries and qrels) that each was uploaded.
 */
public final class BlobHashes {
  private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

  private BlobHashes() {}

  /** A 400 about {@code field} unless {@code hash} is a lowercase hex SHA-256 hash. */
  public static void requireSha256(String field, String hash) {
    if (hash == null || !SHA256.matcher(hash).matches()) {
      throw Problems.invalidField(field, "expected a lowercase hex SHA-256 hash");
    }
  }

  /** A 400 naming the first of {@code hashes} that {@code tenant} has not uploaded. */
  public static void requireUploaded(BlobStore blobs, Tenant tenant, List<String> hashes) {
    List<String> missing = blobs.missing(tenant, hashes);
    if (!missing.isEmpty()) {
      throw Problems.badRequest(
          "blob " + missing.get(0) + " was not uploaded; PUT /v1/blobs/{sha256} first");
    }
  }
}
