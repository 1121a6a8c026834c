package io.engram.core.collection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** Named collections of documents; ingestion creates them on first use, queries require them. */
public final class CollectionRegistry {
  public static final String DEFAULT = "default";
  private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,62}$");

  private final DataSource dataSource;

  public CollectionRegistry(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  public boolean exists(String name) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT 1 FROM collections WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
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
