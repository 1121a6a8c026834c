package io.engram.core.ingestion;

import io.engram.core.Hashing;
import io.engram.core.tenant.Tenant;
import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Query;

/**
 * Content-addressed uploads in PostgreSQL ({@code blobs}): the claim check between the CLI and the
 * workers; and who uploaded them ({@code blob_tenants}). Bytes are stored once whoever uploads
 * them, but a tenant sees and may reference only its own uploads, so the API asks with the caller's
 * tenant: which hashes a tenant lacks never depends on what another tenant holds.
 */
public final class BlobStore implements SourceScanner.BlobReader {
  private final Jdbi jdbi;

  public BlobStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * The hashes among {@code hashes} that no one has uploaded. For the worker, which runs what the
   * API accepted; the API asks {@link #missing(Tenant, Collection)}.
   */
  public List<String> missing(Collection<String> hashes) {
    Set<String> present =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT sha256 FROM blobs WHERE sha256 = ANY (:hashes)")
                    .bindArray("hashes", String.class, hashes)
                    .mapTo(String.class)
                    .collect(Collectors.toCollection(HashSet::new)));
    return hashes.stream().distinct().filter(h -> !present.contains(h)).toList();
  }

  /** The hashes among {@code hashes} that {@code tenant} has not uploaded, whoever else has. */
  public List<String> missing(Tenant tenant, Collection<String> hashes) {
    Set<String> present =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        "SELECT sha256 FROM blob_tenants"
                            + " WHERE tenant = :tenant AND sha256 = ANY (:hashes)")
                    .bind("tenant", tenant.id())
                    .bindArray("hashes", String.class, hashes)
                    .mapTo(String.class)
                    .collect(Collectors.toCollection(HashSet::new)));
    return hashes.stream().distinct().filter(h -> !present.contains(h)).toList();
  }

  /**
   * Stores bytes {@code tenant} uploaded, as {@link #put(String, byte[])} does, and notes that the
   * tenant has them. The bytes themselves are the proof: a tenant gets a hash only by sending what
   * hashes to it.
   */
  public void put(Tenant tenant, String sha256, byte[] bytes) {
    put(sha256, bytes);
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO blob_tenants (tenant, sha256) VALUES (:tenant, :sha256)"
                        + " ON CONFLICT DO NOTHING")
                .bind("tenant", tenant.id())
                .bind("sha256", sha256)
                .execute());
  }

  /**
   * Stores bytes under their hash after checking it; storing the same bytes again is a no-op.
   *
   * @throws IllegalArgumentException when the bytes do not hash to {@code sha256}
   */
  public void put(String sha256, byte[] bytes) {
    String actual = Hashing.sha256(bytes);
    if (!actual.equals(sha256)) {
      throw new IllegalArgumentException(
          "content hashes to " + actual + ", not to " + sha256 + " (upload corrupted?)");
    }
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO blobs (sha256, size_bytes, content)"
                        + " VALUES (:sha256, :size, :content) ON CONFLICT DO NOTHING")
                .bind("sha256", sha256)
                .bind("size", (long) bytes.length)
                .bind("content", bytes)
                .execute());
  }

  /** The size of a stored blob, without reading it; empty when it is not stored. */
  public Optional<Long> size(String sha256) throws IOException {
    try {
      return jdbi.withHandle(
          h ->
              h.createQuery("SELECT size_bytes FROM blobs WHERE sha256 = :sha256")
                  .bind("sha256", sha256)
                  .mapTo(Long.class)
                  .findOne());
    } catch (JdbiException e) {
      throw new IOException("cannot read blob " + sha256, e);
    }
  }

  /** Reads a byte range without loading the whole blob (blobs are stored uncompressed). */
  public byte[] readRange(String sha256, long offset, int length) throws IOException {
    return read(
        sha256,
        h ->
            h.createQuery(
                    "SELECT substring(content FROM :from FOR :length) FROM blobs"
                        + " WHERE sha256 = :sha256")
                .bind("from", Math.toIntExact(offset + 1))
                .bind("length", length));
  }

  @Override
  public byte[] read(String sha256) throws IOException {
    return read(sha256, h -> h.createQuery("SELECT content FROM blobs WHERE sha256 = :sha256"));
  }

  /** Runs a query that selects bytes of the blob {@code :sha256}. */
  private byte[] read(String sha256, Function<Handle, Query> query) throws IOException {
    Optional<byte[]> bytes;
    try {
      bytes =
          jdbi.withHandle(h -> query.apply(h).bind("sha256", sha256).mapTo(byte[].class).findOne());
    } catch (JdbiException e) {
      throw new IOException("cannot read blob " + sha256, e);
    }
    return bytes.orElseThrow(
        () -> new IOException("blob " + sha256 + " is not stored; upload it again"));
  }
}
