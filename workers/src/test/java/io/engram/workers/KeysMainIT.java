package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.db.EngramJdbi;
import io.engram.core.tenant.ApiKeys;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./engram keys … --database}: the first admin key of an installation, made in the database
 * without the API, printed once, working, listed without its token, revoked.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KeysMainIT {
  private HikariDataSource db;
  private ApiKeys keys;

  private record Run(int exitCode, String out, String err) {}

  @BeforeAll
  void setUp() {
    db = EngramServicesExtension.postgres().migratedDatabase("keys_main_it", 2);
    keys = new ApiKeys(EngramJdbi.create(db));
  }

  @AfterAll
  void tearDown() {
    db.close();
  }

  private Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        KeysMain.run(
            keys,
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void the_first_admin_key_is_made_in_the_database_listed_without_its_token_and_revoked()
      throws Exception {
    Run created = run("create", "--scopes", "admin", "--name", "operator", "--json");
    assertThat(created.exitCode()).as(created.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(created.out());
    String token = json.path("key").asText();
    long id = json.path("apiKey").path("id").asLong();
    assertThat(json.path("apiKey").path("tenant").asText()).isEqualTo("default");
    assertThat(json.path("apiKey").path("createdBy").asText()).isEqualTo("database");
    assertThat(keys.authenticate(token)).isPresent();

    Run listed = run("list", "--json");
    assertThat(listed.exitCode()).isZero();
    assertThat(listed.out()).contains("\"operator\"").doesNotContain(token);

    Run revoked = run("revoke", Long.toString(id));
    assertThat(revoked.out()).isEqualTo("revoked key " + id + "\n");
    assertThat(keys.authenticate(token)).isEmpty();
    assertThat(run("revoke", "999999").exitCode()).isEqualTo(1);
  }

  @Test
  void the_launchers_database_switch_is_taken_as_the_usage_spells_it() throws Exception {
    Run created = run("create", "--database", "--scopes", "query", "--name", "spelled", "--json");
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(run("list", "--database").out()).contains("spelled");
  }

  @Test
  void bad_usage_exits_2_naming_the_problem() {
    Run noScopes = run("create", "--tenant", "acme");
    assertThat(noScopes.exitCode()).isEqualTo(2);
    assertThat(noScopes.err()).contains("--scopes is required");
    Run badTenant = run("create", "--tenant", "Not A Tenant", "--scopes", "query");
    assertThat(badTenant.exitCode()).isEqualTo(2);
    assertThat(badTenant.err()).contains("tenant id");
    for (String name : new String[] {"", " ops ", "ops\u001b[2J", "a\u202Eb", "x".repeat(101)}) {
      Run badName = run("create", "--scopes", "query", "--name", name);
      assertThat(badName.exitCode()).as("name %s", name).isEqualTo(2);
      assertThat(badName.err()).contains("--name must be");
    }
    assertThat(run("create", "--scopes", "query", "--name", "ops on-call \u200D").exitCode())
        .isEqualTo(2);
    // A joiner inside a name, as emoji and Persian words need, is kept.
    assertThat(
            run("create", "--scopes", "query", "--name", "ops \uD83D\uDC69\u200D\uD83D\uDCBB")
                .exitCode())
        .isZero();
    assertThat(run("create", "--scopes", "root").err()).contains("unknown scope 'root'");
    // The usage names the commands as users type them, through the launcher, with --database;
    // the launcher's switch is taken where it is passed on.
    assertThat(noScopes.err())
        .contains("usage: ./engram keys create --database", "./engram keys list --database")
        .doesNotContain("KeysMain");
    Run revokeNothing = run("revoke", "--database");
    assertThat(revokeNothing.exitCode()).isEqualTo(2);
    assertThat(revokeNothing.err()).contains("revoke takes one key id");
    Run text = run("create", "--tenant", "acme", "--scopes", "query,ingest");
    assertThat(text.out()).matches("engram_[0-9A-Za-z]{40}\n");
    assertThat(text.err()).contains("of tenant acme", "not shown again");
  }
}
