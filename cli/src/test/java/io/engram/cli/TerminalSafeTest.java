package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import io.engram.contract.Collections.DocumentDetail;
import io.engram.contract.Collections.DocumentView;
import io.engram.contract.Keys.KeyList;
import io.engram.contract.Keys.KeyView;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Control characters that other users can put in names (a key's, a file's) never reach the
 * terminal: not as escape sequences, and in a table not as line breaks that fake a row.
 */
class TerminalSafeTest {

  @Test
  void the_output_shows_steering_characters_as_escapes_and_keeps_line_breaks_and_tabs() {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(TerminalSafe.writer(text), true);

    out.print("a\u001b[31mred\u001b[0m\tb\r\n");
    out.print('\u009b');
    out.print("ünïcode ✓ \u007f");
    out.flush();

    assertThat(text.toString())
        .isEqualTo("a\\u001b[31mred\\u001b[0m\tb\r\n\\u009bünïcode ✓ \\u007f")
        .doesNotContain("\u001b");
  }

  @Test
  void a_carriage_return_in_text_cannot_overwrite_its_line_but_the_progress_bar_redraws() {
    StringWriter text = new StringWriter();
    TerminalSafe.Terminal err = new TerminalSafe.Terminal(text);

    // An audit reason that would otherwise print "rolled back" over "ok, promoted".
    err.printf("  decision: %s%n", "ok, promoted\rrolled back");
    ProgressBar bar = new ProgressBar(err, true, "evaluating", () -> 0L);
    bar.update(1, 2, "query\r42");
    bar.finish();

    assertThat(text.toString())
        .startsWith("  decision: ok, promoted\\u000drolled back\n")
        .contains("\revaluating [")
        .contains("query\\u000d42")
        .containsOnlyOnce("\r");
  }

  @Test
  void help_and_usage_errors_are_plain_text_even_where_picocli_would_colour_them() {
    String before = System.getProperty("picocli.ansi");
    System.setProperty("picocli.ansi", "true");
    try {
      CliRunner.Result help = CliRunner.run("retrain", "--help");
      CliRunner.Result wrong = CliRunner.run("retrain", "--no-such-option");

      assertThat(help.out())
          .contains("--status")
          .doesNotContain("\\u001b")
          .doesNotContain("\u001b");
      assertThat(wrong.err()).contains("--no-such-option").doesNotContain("\\u001b");
    } finally {
      if (before == null) {
        System.clearProperty("picocli.ansi");
      } else {
        System.setProperty("picocli.ansi", before);
      }
    }
  }

  @Test
  void a_table_cell_cannot_break_its_row_or_colour_the_terminal() {
    assertThat(TerminalSafe.cell("evil\u001b[31mRED\nFAKE\tadmin"))
        .isEqualTo("evil\\u001b[31mRED\\u000aFAKE\\u0009admin");
    assertThat(TerminalSafe.cell("invoice\u202etxt.exe")).isEqualTo("invoice\\u202etxt.exe");
    assertThat(TerminalSafe.cell("ünïcode ✓ 日本")).isEqualTo("ünïcode ✓ 日本");
    assertThat(TerminalSafe.cell("plain")).isEqualTo("plain");
    assertThat(TerminalSafe.cell(null)).isEmpty();
  }

  @Test
  void a_document_shown_alone_keeps_its_name_and_title_on_their_own_lines() {
    String forged = "new\nFAKE  status   active\u001b[0m.txt";
    StringWriter text = new StringWriter();
    CollectionsCommand.Show.print(
        new PrintWriter(text, true),
        new DocumentDetail(
            new DocumentView(7, "/d/" + forged, forged, "text/plain", "failed", null, "now"),
            "/d",
            null,
            List.of(),
            null,
            List.of()));

    assertThat(text.toString())
        .startsWith("document 7: /d/new\\u000aFAKE  status   active\\u001b[0m.txt\n")
        .contains("  title    new\\u000aFAKE")
        .doesNotContain("\nFAKE");
  }

  @Test
  void keys_list_prints_a_forged_name_on_its_own_row_and_json_keeps_it_exactly() throws Exception {
    String forged = "evil\u001b[31mRED\u001b[0m\nFAKE  qa3c  admin";
    KeyView key =
        new KeyView(
            15,
            "qa3c",
            forged,
            List.of("query"),
            "engram_0X",
            true,
            "admin",
            "2026-12-07T01:50:00Z",
            null,
            null);
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/v1/keys.*", r -> Response.json(200, new KeyList(List.of(key))));

      CliRunner.Result text = CliRunner.run("--api", api.url(), "keys", "list");
      CliRunner.Result json = CliRunner.run("--api", api.url(), "--json", "keys", "list");

      assertThat(text.exitCode()).as(text.err()).isZero();
      assertThat(text.out()).doesNotContain("\u001b").doesNotContain("\nFAKE");
      assertThat(text.out().lines()).hasSize(2);
      assertThat(text.out()).contains("evil\\u001b[31mRED\\u001b[0m\\u000aFAKE  qa3c  admin");
      assertThat(EngramClient.JSON.readTree(json.out()).path("keys").get(0).path("name").asText())
          .isEqualTo(forged);
    }
  }
}
