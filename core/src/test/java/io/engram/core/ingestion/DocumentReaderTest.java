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
  void a_byte_order_mark_is_left_out_and_utf16_with_one_is_read() throws Exception {
    byte[] utf8Bom = {
      (byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', 'i', ' ', (byte) 0xC3, (byte) 0xA9
    };
    assertThat(reader.read("bom.txt", utf8Bom).text()).isEqualTo("hi é");

    for (var utf16 : java.util.List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
      byte[] mark =
          utf16 == StandardCharsets.UTF_16LE
              ? new byte[] {(byte) 0xFF, (byte) 0xFE}
              : new byte[] {(byte) 0xFE, (byte) 0xFF};
      byte[] body = "# Thé title\nwindows text".getBytes(utf16);
      byte[] file = new byte[mark.length + body.length];
      System.arraycopy(mark, 0, file, 0, mark.length);
      System.arraycopy(body, 0, file, mark.length, body.length);

      var doc = reader.read("notes.md", file);

      assertThat(doc.text()).as(utf16.name()).isEqualTo("# Thé title\nwindows text");
      assertThat(doc.title()).isEqualTo("Thé title");
    }
    // UTF-16 without a mark is still refused, and the message says what is read.
    assertThatThrownBy(() -> reader.read("a.txt", "text".getBytes(StandardCharsets.UTF_16LE)))
        .hasMessageContaining("binary")
        .hasMessageContaining("byte-order mark");
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
