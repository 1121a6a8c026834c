package io.engram.core.collection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** Named collections of documents; ingestion creates them on first use, queries require them. */
public final class CollectionRegistry {
  public static final String DEFAULT = "default";
  private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,62}$");

  private final DataSource dataSource;

  /**
   * Names known to exist. Collections are never deleted, so a positive answer can be kept for the
   * life of the process and the query path skips a round trip; a negative one is always asked
   * again, since ingestion may create the collection at any time.
   */
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  public CollectionRegistry(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  public boolean exists(String name) throws SQLException {
    if (known.contains(name)) {
      return true;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT 1 FROM collections WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          known.add(name);
          return true;
        }
        return false;
      }
    }
  }

  public void ensure(String name) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO collections (name) VALUES (?) ON CONFLICT DO NOTHING")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
  }
}
