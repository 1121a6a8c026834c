package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.contract.Keys.KeyCreated;
import io.engram.contract.Keys.KeyList;
import io.engram.testing.EngramServices;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ./engram keys} against a real API (dev profile: the CLI's own loopback calls are the
 * operator's): a key made for a new tenant is printed once, works when sent as {@code
 * ENGRAM_API_KEY} for what its scopes allow and no more, is listed without its token, and after
 * {@code revoke} authenticates nothing.
 */
@EngramServices
@ExtendWith(RealEngram.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KeysCommandIT {

  private static CliRunner.Result run(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--api";
    all[1] = RealEngram.url();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRunner.run(env, all);
  }

  @Test
  void create_json_prints_the_key_once_and_the_key_works_within_its_scopes() throws Exception {
    CliRunner.Result created =
        run(Map.of(), "keys", "create", "--tenant", "cli-t1", "--scopes", "query,ingest", "--json");

    assertThat(created.exitCode()).as(created.err()).isZero();
    JsonNode json = EngramClient.JSON.readTree(created.out());
    assertThat(json.isObject()).isTrue();
    String key = json.path("key").asText();
    assertThat(key).startsWith("engram_").hasSize(47);
    KeyCreated typed = IngestCommandIT.readOne(created.out(), KeyCreated.class);
    assertThat(typed.apiKey().tenant()).isEqualTo("cli-t1");
    assertThat(typed.apiKey().scopes()).containsExactlyInAnyOrder("query", "ingest");
    assertThat(typed.apiKey().hint()).isEqualTo(key.substring(0, 11));
    assertThat(typed.apiKey().createdBy()).isEqualTo("loopback");

    // The key, sent as ENGRAM_API_KEY: its tenant's (empty) drift reports, but no key management.
    Map<String, String> asKey = Map.of("ENGRAM_API_KEY", key);
    CliRunner.Result reports = run(asKey, "drift", "reports", "--json");
    assertThat(reports.exitCode()).as(reports.err()).isZero();
    assertThat(EngramClient.JSON.readTree(reports.out()).path("reports")).isEmpty();
    CliRunner.Result list = run(asKey, "keys", "list");
    assertThat(list.exitCode()).isNotZero();
    assertThat(list.err()).contains("scope 'admin'").doesNotContain(key);

    // Listed without its token; revoked, it authenticates nothing and is still listed.
    CliRunner.Result listed = run(Map.of(), "keys", "list", "--tenant", "cli-t1", "--json");
    assertThat(listed.exitCode()).as(listed.err()).isZero();
    assertThat(listed.out()).doesNotContain(key);
    KeyList keys = IngestCommandIT.readOne(listed.out(), KeyList.class);
    assertThat(keys.keys()).hasSize(1);
    long id = keys.keys().get(0).id();
    CliRunner.Result text = run(Map.of(), "keys", "list", "--tenant", "cli-t1");
    assertThat(text.out())
        .startsWith("ID ")
        .contains(key.substring(0, 11) + "…", "query,ingest", "active");

    CliRunner.Result revoked = run(Map.of(), "keys", "revoke", Long.toString(id));
    assertThat(revoked.exitCode()).as(revoked.err()).isZero();
    assertThat(revoked.out()).startsWith("revoked key " + id + " (");
    CliRunner.Result refused = run(asKey, "drift", "reports");
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err())
        .contains("unknown or revoked")
        .contains("ENGRAM_API_KEY")
        .doesNotContain(key);
    assertThat(run(Map.of(), "keys", "list", "--tenant", "cli-t1").out()).contains("revoked ");
  }

  @Test
  void create_in_text_prints_only_the_key_on_stdout() throws Exception {
    CliRunner.Result created =
        run(Map.of(), "keys", "create", "--scopes", "query", "--name", "cli");

    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out()).matches("engram_[0-9A-Za-z]{40}\n");
    assertThat(created.err()).contains("of tenant default", "'cli'", "not shown again");
  }

  @Test
  void bad_scopes_and_missing_scopes_are_refused() {
    CliRunner.Result unknown = run(Map.of(), "keys", "create", "--scopes", "query,root");
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.err()).contains("unknown scope 'root'");

    CliRunner.Result none = run(Map.of(), "keys", "create");
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("--scopes");
  }
}
