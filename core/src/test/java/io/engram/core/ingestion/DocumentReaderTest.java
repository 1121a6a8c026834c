package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DocumentReaderTest {
  private final DocumentReader reader = new DocumentReader(1024);
  private final DocumentReader large = new DocumentReader(1 << 20);

  @Test
  void markdown_title_comes_from_the_first_heading() throws Exception {
    var doc =
        reader.read("notes/a.md", "intro\n# The Title\n\nbody".getBytes(StandardCharsets.UTF_8));
    assertThat(doc.title()).isEqualTo("The Title");
    assertThat(doc.text()).contains("body");
    assertThat(doc.mime()).isEqualTo("text/markdown");
  }

  @Test
  void html_is_parsed_to_text_with_its_title() throws Exception {
    var doc =
        reader.read(
            "page.html",
            "<html><head><title>Sleep</title></head><body><p>Sleep helps memory.</p></body></html>"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(doc.title()).isEqualTo("Sleep");
    assertThat(doc.text()).contains("Sleep helps memory.").doesNotContain("<p>");
  }

  @Test
  void plain_text_title_falls_back_to_the_file_name() throws Exception {
    assertThat(reader.read("/x/y/readme.txt", "hello".getBytes(StandardCharsets.UTF_8)).title())
        .isEqualTo("readme.txt");
  }

  @Test
  void nul_characters_past_the_binary_probe_are_removed_from_the_text() throws Exception {
    String text = "x".repeat(9000) + "tea\0 leaves";

    var doc = large.read("a.txt", text.getBytes(StandardCharsets.UTF_8));

    assertThat(doc.text()).doesNotContain("\0").endsWith("tea leaves");
  }

  @Test
  void rejects_empty_blank_binary_oversized_unsupported_and_corrupt_documents() {
    assertThatThrownBy(() -> reader.read("a.txt", new byte[0])).hasMessage("empty file");
    assertThatThrownBy(() -> reader.read("a.txt", "  \n ".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("only white space");
    assertThatThrownBy(() -> reader.read("a.txt", new byte[] {'a', 0, 'b'}))
        .hasMessageContaining("binary");
    assertThatThrownBy(() -> reader.read("a.csv", new byte[] {(byte) 0xC3, (byte) 0x28}))
        .hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> reader.read("a.txt", new byte[2048]))
        .hasMessageContaining("over the limit");
    assertThatThrownBy(() -> reader.read("a.png", new byte[] {1}))
        .hasMessageContaining("unsupported file type");
    assertThatThrownBy(
            () -> reader.read("a.pdf", "%PDF-1.4 nonsense".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(DocumentRejectedException.class)
        .hasMessageStartingWith("cannot parse PDF");
  }
}
