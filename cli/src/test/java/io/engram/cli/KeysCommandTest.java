package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import io.engram.contract.Keys.KeyList;
import io.engram.contract.Keys.KeyView;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ./engram keys} against a stand-in API: the help of each command lists {@code --database}
 * as users type it, and a key's last use is listed to the minute, as it is recorded. The real API
 * is in {@code KeysCommandIT}; {@code --database} itself in the workers' {@code KeysMainIT}.
 */
class KeysCommandTest {

  @Test
  void the_help_of_each_command_lists_database_as_the_launcher_takes_it() {
    for (String command : List.of("create", "list", "revoke")) {
      CliRunner.Result help = CliRunner.run("keys", command, "--help");

      assertThat(help.exitCode()).as(command).isZero();
      // As one line: picocli wraps the descriptions.
      assertThat(help.out().replaceAll("\\s+", " "))
          .as(command)
          .contains("--database", "without the API", "first admin key", "./engram keys");
    }
  }

  @Test
  void database_without_the_launcher_is_refused_saying_who_runs_it() {
    CliRunner.Result result =
        CliRunner.run(
            "--api", "http://127.0.0.1:9", "keys", "create", "--scopes", "admin", "--database");

    assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
    assertThat(result.err()).contains("--database is the launcher's: run ./engram keys create");
  }

  @Test
  void a_keys_last_use_is_listed_to_the_minute() throws Exception {
    KeyView used =
        new KeyView(
            7,
            "default",
            "ops",
            List.of("admin"),
            "engram_abcd",
            true,
            "database",
            "2025-03-01T09:00:00.123456Z",
            "2025-03-02T10:41:37.654321Z",
            null);
    try (FakeApi api =
        new FakeApi().on("GET", "/v1/keys", r -> Response.json(200, new KeyList(List.of(used))))) {
      CliRunner.Result result = CliRunner.run("--api", api.url(), "keys", "list");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out()).contains("2025-03-02T10:41Z").doesNotContain("10:41:37");
    }
  }
}
