package io.engram.core.ingest;

import io.engram.core.Hashing;
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
 * workers.
 */
public final class BlobStore implements SourceScanner.BlobReader {
  private final Jdbi jdbi;

  public BlobStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** The hashes among {@code hashes} that are not stored yet. */
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
