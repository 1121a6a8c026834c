package io.engram.core.ingest;

import io.engram.core.Hashing;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/** Content-addressed uploads in PostgreSQL: the claim check between the CLI and the workers. */
public final class BlobStore implements SourceScanner.BlobReader {
  private final DataSource dataSource;

  public BlobStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The hashes among {@code hashes} that are not stored yet. */
  public List<String> missing(Collection<String> hashes) throws SQLException {
    Set<String> present = new HashSet<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT sha256 FROM blobs WHERE sha256 = ANY (?)")) {
      Array array = c.createArrayOf("text", hashes.toArray());
      ps.setArray(1, array);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          present.add(rs.getString(1));
        }
      }
    }
    return hashes.stream().distinct().filter(h -> !present.contains(h)).toList();
  }

  /**
   * Stores bytes under their hash after checking it; storing the same bytes again is a no-op.
   *
   * @throws IllegalArgumentException when the bytes do not hash to {@code sha256}
   */
  public void put(String sha256, byte[] bytes) throws SQLException {
    String actual = Hashing.sha256(bytes);
    if (!actual.equals(sha256)) {
      throw new IllegalArgumentException(
          "content hashes to " + actual + ", not to " + sha256 + " (upload corrupted?)");
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO blobs (sha256, size_bytes, content) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
      ps.setString(1, sha256);
      ps.setLong(2, bytes.length);
      ps.setBytes(3, bytes);
      ps.executeUpdate();
    }
  }

  /** Reads a byte range without loading the whole blob (blobs are stored uncompressed). */
  public byte[] readRange(String sha256, long offset, int length) throws IOException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT substring(content FROM ? FOR ?) FROM blobs WHERE sha256 = ?")) {
      ps.setInt(1, Math.toIntExact(offset + 1));
      ps.setInt(2, length);
      ps.setString(3, sha256);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IOException("blob " + sha256 + " is not stored; upload it again");
        }
        return rs.getBytes(1);
      }
    } catch (SQLException e) {
      throw new IOException("cannot read blob " + sha256, e);
    }
  }

  @Override
  public byte[] read(String sha256) throws IOException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT content FROM blobs WHERE sha256 = ?")) {
      ps.setString(1, sha256);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IOException("blob " + sha256 + " is not stored; upload it again");
        }
        return rs.getBytes(1);
      }
    } catch (SQLException e) {
      throw new IOException("cannot read blob " + sha256, e);
    }
  }
}
