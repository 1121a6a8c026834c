package io.engram.core.tenant;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The tenants ({@code tenants}). A tenant comes into being with its first API key; the default
 * tenant exists from the migration that introduced tenants.
 */
public final class Tenants {
  private final Jdbi jdbi;

  public Tenants(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Every tenant, in order of id. */
  public List<Tenant> list() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT id FROM tenants ORDER BY id")
                .map((rs, ctx) -> new Tenant(rs.getString(1)))
                .list());
  }

  public boolean exists(Tenant tenant) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT 1 FROM tenants WHERE id = :id")
                .bind("id", tenant.id())
                .mapTo(Integer.class)
                .findOne()
                .isPresent());
  }

  /**
   * Creates the tenant unless it exists, inside the caller's transaction.
   *
   * @return true when it was created now
   */
  static boolean ensure(Handle h, Tenant tenant) {
    return h.createUpdate("INSERT INTO tenants (id) VALUES (:id) ON CONFLICT DO NOTHING")
            .bind("id", tenant.id())
            .execute()
        > 0;
  }
}
