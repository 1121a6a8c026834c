package io.engram.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.Hashing;
import io.engram.core.config.AccessSettings;
import io.engram.core.db.EngramJdbi;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** API keys on a real PostgreSQL: made, found by their token only, touched, listed, revoked. */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ApiKeysIT {
  private HikariDataSource db;
  private Jdbi jdbi;
  private ApiKeys keys;

  @BeforeAll
  void setUp() {
    db = EngramServicesExtension.postgres().migratedDatabase("api_keys_it", 2);
    jdbi = EngramJdbi.create(db);
    keys = new ApiKeys(jdbi);
  }

  @AfterAll
  void tearDown() {
    db.close();
  }

  @Test
  void keyed_metrics_are_read_with_the_scraper_s_token_or_an_operator_s_admin_key_only() {
    String scraper = "s".repeat(24);
    Predicate<String> keyed =
        MetricsReaders.of(new AccessSettings.Metrics(true, Hashing.sha256(scraper)), keys);
    String operator =
        keys.create(Tenant.DEFAULT, "ops", EnumSet.of(Scope.ADMIN), "database").token();
    String querier =
        keys.create(Tenant.DEFAULT, "app", EnumSet.of(Scope.QUERY), "database").token();
    String tenantAdmin =
        keys.create(new Tenant("globex"), "admin", EnumSet.of(Scope.ADMIN), "database").token();

    assertThat(keyed.test(scraper)).isTrue();
    assertThat(keyed.test(operator)).isTrue();
    assertThat(keyed.test(null)).isFalse();
    assertThat(keyed.test("s".repeat(23))).isFalse();
    assertThat(keyed.test(querier)).as("not an admin key").isFalse();
    assertThat(keyed.test(tenantAdmin)).as("another tenant's admin").isFalse();
    keys.revoke(keys.authenticate(operator).orElseThrow().id());
    assertThat(keyed.test(operator)).as("revoked").isFalse();
    // Keyed with no token configured: an operator's key still reads them.
    String another =
        keys.create(Tenant.DEFAULT, "ops-2", EnumSet.of(Scope.ADMIN), "database").token();
    assertThat(MetricsReaders.of(new AccessSettings.Metrics(true, null), keys).test(another))
        .isTrue();
    assertThat(MetricsReaders.of(AccessSettings.Metrics.PUBLIC, keys).test(null)).isTrue();
  }

  @Test
  void a_key_authenticates_by_its_token_and_only_its_hash_is_stored() {
    ApiKeys.Created created =
        keys.create(new Tenant("acme"), "frontend", EnumSet.of(Scope.QUERY), "database");
    String token = created.token();

    assertThat(ApiKeys.looksLikeToken(token)).isTrue();
    assertThat(created.key().hint()).isEqualTo(token.substring(0, 11));
    assertThat(created.toString()).doesNotContain(token.substring(11));
    assertThat(new Tenants(jdbi).exists(new Tenant("acme"))).isTrue();
    assertThat(keys.authenticate(token))
        .get()
        .satisfies(
            k -> {
              assertThat(k.tenant()).isEqualTo(new Tenant("acme"));
              assertThat(k.scopes()).containsExactly(Scope.QUERY);
            });
    String row =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT row_to_json(k)::text FROM api_keys k WHERE id = :id")
                    .bind("id", created.key().id())
                    .mapTo(String.class)
                    .one());
    assertThat(row).doesNotContain(token.substring(11)).contains(Hashing.sha256(token));
    char last = token.charAt(token.length() - 1);
    String other = token.substring(0, token.length() - 1) + (last == 'x' ? 'y' : 'x');
    assertThat(keys.authenticate(other)).isEmpty();
  }

  @Test
  void last_use_is_written_at_most_once_a_minute() {
    long id = keys.create(new Tenant("acme"), "k", Set.of(Scope.INGEST), "database").key().id();
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    keys.touch(id, t0);
    keys.touch(id, t0.plus(Duration.ofSeconds(30)));
    assertThat(keys.find(id).orElseThrow().lastUsedAt()).isEqualTo(t0);
    keys.touch(id, t0.plus(Duration.ofSeconds(61)));
    assertThat(keys.find(id).orElseThrow().lastUsedAt()).isEqualTo(t0.plusSeconds(61));
  }

  @Test
  void a_revoked_key_stays_listed_and_authenticates_nothing() {
    ApiKeys.Created created = keys.create(new Tenant("beta"), "old", Set.of(Scope.ADMIN), "key 1");
    assertThat(keys.revoke(created.key().id()))
        .get()
        .extracting(ApiKeys.ApiKey::active)
        .isEqualTo(false);
    Instant revokedAt = keys.find(created.key().id()).orElseThrow().revokedAt();
    // Revoking again changes nothing.
    assertThat(keys.revoke(created.key().id()).orElseThrow().revokedAt()).isEqualTo(revokedAt);
    assertThat(keys.authenticate(created.token())).isEmpty();
    assertThat(keys.list(new Tenant("beta")))
        .extracting(ApiKeys.ApiKey::id)
        .containsExactly(created.key().id());
    assertThat(keys.list(null)).extracting(k -> k.tenant().id()).contains("acme", "beta");
    assertThat(keys.revoke(987_654)).isEmpty();
    assertThatThrownBy(() -> keys.create(new Tenant("beta"), "none", Set.of(), "database"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
