package io.engram.core.tenant;

import io.engram.core.Hashing;
import io.engram.core.db.Columns;
import io.engram.core.db.Rows;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * API keys ({@code api_keys}): random tokens with a recognisable prefix, of which only a SHA-256
 * hash is stored. A token is shown once, when it is made; a revoked key stays listed (who had it,
 * since when, last used) but never authenticates again.
 */
public final class ApiKeys {
  /** Every token starts with this, so secret scanners and people recognise one. */
  public static final String PREFIX = "engram_";

  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  /** 40 base-62 characters: about 238 bits, beyond any guessing. */
  private static final int RANDOM_CHARS = 40;

  private static final Pattern TOKEN = Pattern.compile("^engram_[0-9A-Za-z]{40}$");

  /** Characters of the token kept as its hint: the prefix and four more. */
  private static final int HINT_CHARS = PREFIX.length() + 4;

  private static final String COLUMNS =
      "id, tenant, name, scopes, hint, created_by, created_at, last_used_at, revoked_at";

  /**
   * A key as it is listed; never its token.
   *
   * @param hint the token's first characters, e.g. {@code engram_3fQa}
   * @param createdBy who made it ({@code key 12}, {@code database}, {@code loopback})
   * @param lastUsedAt when it last authenticated a request (to the minute), or null
   * @param revokedAt when it was revoked, or null while it is active
   */
  public record ApiKey(
      long id,
      Tenant tenant,
      String name,
      Set<Scope> scopes,
      String hint,
      String createdBy,
      Instant createdAt,
      Instant lastUsedAt,
      Instant revokedAt) {
    public ApiKey {
      scopes = Set.copyOf(scopes);
    }

    public boolean active() {
      return revokedAt == null;
    }
  }

  /** A key just made, with its token: the only time the token exists outside its holder. */
  public record Created(ApiKey key, String token) {
    @Override
    public String toString() {
      // A record's toString would print the token into any log line that mentions the record.
      return "Created[key=" + key + ", token=" + key.hint() + "…]";
    }
  }

  private static final RowMapper<ApiKey> KEY = ApiKeys::map;
  private static final Rows<ApiKey> KEYS = new Rows<>(COLUMNS, "api_keys", KEY);

  private final Jdbi jdbi;
  private final SecureRandom random = new SecureRandom();

  public ApiKeys(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Whether {@code text} has a token's shape; anything else is refused without a lookup. */
  public static boolean looksLikeToken(String text) {
    return text != null && TOKEN.matcher(text).matches();
  }

  /**
   * Makes a key for {@code tenant}, creating the tenant with its first key.
   *
   * @param createdBy who asks, for the list ({@code key 12}, {@code database})
   */
  public Created create(Tenant tenant, String name, Set<Scope> scopes, String createdBy) {
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException("a key needs at least one scope");
    }
    String token = newToken();
    ApiKey key =
        jdbi.inTransaction(
            h -> {
              Tenants.ensure(h, tenant);
              return h.createQuery(
                      "INSERT INTO api_keys (tenant, name, scopes, hint, token_sha256, created_by)"
                          + " VALUES (:tenant, :name, :scopes, :hint, :hash, :createdBy)"
                          + " RETURNING "
                          + COLUMNS)
                  .bind("tenant", tenant.id())
                  .bind("name", name)
                  .bindArray("scopes", String.class, scopes.stream().map(Scope::wireName).toList())
                  .bind("hint", token.substring(0, HINT_CHARS))
                  .bind("hash", Hashing.sha256(token))
                  .bind("createdBy", createdBy)
                  .map(KEY)
                  .one();
            });
    return new Created(key, token);
  }

  /** The active key whose token is {@code token}, if any. */
  public Optional<ApiKey> authenticate(String token) {
    if (!looksLikeToken(token)) {
      return Optional.empty();
    }
    return KEYS.one(
        jdbi,
        "WHERE token_sha256 = :hash AND revoked_at IS NULL",
        q -> q.bind("hash", Hashing.sha256(token)));
  }

  /** One key, active or revoked. */
  public Optional<ApiKey> find(long id) {
    return KEYS.one(jdbi, "WHERE id = :id", q -> q.bind("id", id));
  }

  /** The keys of {@code tenant}, or of every tenant when it is null, oldest first. */
  public List<ApiKey> list(Tenant tenant) {
    return KEYS.list(
        jdbi,
        "WHERE (CAST(:tenant AS text) IS NULL OR tenant = :tenant) ORDER BY id",
        q -> q.bind("tenant", tenant == null ? null : tenant.id()));
  }

  /**
   * Revokes a key; revoking a revoked key changes nothing.
   *
   * @return the key as it is now, or empty when there is no such key
   */
  public Optional<ApiKey> revoke(long id) {
    return jdbi.withHandle(
        h -> {
          h.createUpdate(
                  "UPDATE api_keys SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL")
              .bind("id", id)
              .execute();
          return KEYS.one(h, "WHERE id = :id", q -> q.bind("id", id));
        });
  }

  /**
   * Notes that the key authenticated a request at {@code now}. The column is written at most once a
   * minute per key, so a busy key does not turn every request into a write.
   */
  public void touch(long id, Instant now) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE api_keys SET last_used_at = CAST(:now AS timestamptz) WHERE id = :id"
                        + " AND (last_used_at IS NULL"
                        + " OR last_used_at < CAST(:now AS timestamptz) - interval '1 minute')")
                .bind("id", id)
                .bind("now", Timestamp.from(now))
                .execute());
  }

  private String newToken() {
    StringBuilder token = new StringBuilder(PREFIX.length() + RANDOM_CHARS).append(PREFIX);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      token.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return token.toString();
  }

  private static ApiKey map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
      throws SQLException {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    Array array = rs.getArray("scopes");
    for (Object s : (Object[]) array.getArray()) {
      scopes.add(Scope.parse((String) s));
    }
    return new ApiKey(
        rs.getLong("id"),
        new Tenant(rs.getString("tenant")),
        rs.getString("name"),
        scopes,
        rs.getString("hint"),
        rs.getString("created_by"),
        Columns.instant(rs, "created_at"),
        Columns.instant(rs, "last_used_at"),
        Columns.instant(rs, "revoked_at"));
  }
}
