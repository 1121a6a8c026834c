package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.Hashing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceScannerTest {

  @Test
  void walks_a_directory_recursively_skipping_hidden_entries_and_symlinks(@TempDir Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("sub"));
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve("a.txt"), "A");
    Files.writeString(dir.resolve("sub/b.md"), "B");
    Files.writeString(dir.resolve(".hidden.txt"), "H");
    Files.writeString(dir.resolve(".git/config"), "G");
    Path outside = Files.createTempFile("outside", ".txt");
    Files.createSymbolicLink(dir.resolve("link.txt"), outside);

    List<DiscoveredDocument> docs = SourceScanner.scanPath(dir);

    assertThat(docs)
        .extracting(DiscoveredDocument::sourceUri)
        .containsExactly(dir.resolve("a.txt").toString(), dir.resolve("sub/b.md").toString());
    assertThat(docs.get(0).contentHash()).isEqualTo(Hashing.sha256("A"));
    assertThat(docs.get(0).locator().isRange()).isFalse();
  }

  @Test
  void a_jsonl_corpus_yields_one_document_per_line_with_byte_ranges(@TempDir Path dir)
      throws Exception {
    String corpus =
        "{\"_id\":\"d1\",\"title\":\"One\",\"text\":\"first\"}\r\n"
            + "\n"
            + "not json\n"
            + "{\"_id\":\"d2\",\"title\":\"Two\",\"text\":\"second\"}";
    Path file = dir.resolve("corpus.jsonl");
    Files.writeString(file, corpus, StandardCharsets.UTF_8);

    List<DiscoveredDocument> docs = SourceScanner.scanPath(file);

    assertThat(docs)
        .extracting(DiscoveredDocument::externalId)
        .containsExactly("d1", "line-3", "d2");
    assertThat(docs.get(0).title()).isEqualTo("One");
    assertThat(docs.get(0).sourceUri()).isEqualTo(file + "#d1");
    // Users see a document's own id, but a line without one by its file too: "line-3" alone
    // could be a line of any file of a directory.
    assertThat(docs)
        .extracting(d -> Documents.shownSource(d.sourceUri(), d.externalId()))
        .containsExactly("d1", file + "#line-3", "d2");
    byte[] bytes = Files.readAllBytes(file);
    Locator second = docs.get(2).locator();
    assertThat(new String(bytes, (int) second.offset(), second.length(), StandardCharsets.UTF_8))
        .isEqualTo("{\"_id\":\"d2\",\"title\":\"Two\",\"text\":\"second\"}");
    Locator first = docs.get(0).locator();
    assertThat(new String(bytes, (int) first.offset(), first.length(), StandardCharsets.UTF_8))
        .doesNotEndWith("\r");
  }

  @Test
  void each_lines_hash_is_of_exactly_its_range_whatever_the_line_breaks() throws Exception {
    byte[] corpus =
        ("{\"_id\":\"a\",\"text\":\"x\"}\r\n"
                + "   \r\n"
                + "{\"_id\":\"b\",\"text\":\"carriage\\r inside\"}\n"
                + "{\"_id\":\"c\",\"text\":\"last\"}\r")
            .getBytes(StandardCharsets.UTF_8);
    List<DiscoveredDocument> docs = new ArrayList<>();

    scan(corpus, docs, 1024);

    assertThat(docs).extracting(DiscoveredDocument::externalId).containsExactly("a", "b", "c");
    for (DiscoveredDocument d : docs) {
      Locator l = d.locator();
      assertThat(d.contentHash()).isEqualTo(Hashing.sha256(corpus, (int) l.offset(), l.length()));
      assertThat(corpus[(int) l.offset() + l.length() - 1]).isEqualTo((byte) '}');
    }
  }

  @Test
  void a_line_break_split_across_two_reads_is_still_one_line_break() throws Exception {
    String head = "{\"_id\":\"a\",\"text\":\"";
    String tail = "\"}";
    // The carriage return is the last byte of the first 64 KiB read, its line feed the first of
    // the next.
    String first = head + "y".repeat(64 * 1024 - 1 - head.length() - tail.length()) + tail;
    byte[] corpus =
        (first + "\r\n{\"_id\":\"b\",\"text\":\"z\"}\n").getBytes(StandardCharsets.UTF_8);
    List<DiscoveredDocument> docs = new ArrayList<>();

    scan(corpus, docs, SourceScanner.MAX_PARSED_LINE);

    assertThat(docs).extracting(DiscoveredDocument::externalId).containsExactly("a", "b");
    assertThat(docs.get(0).locator().length()).isEqualTo(first.length());
    assertThat(docs.get(0).contentHash())
        .isEqualTo(Hashing.sha256(first.getBytes(StandardCharsets.UTF_8)));
    assertThat(docs.get(1).locator().offset()).isEqualTo(first.length() + 2);
  }

  @Test
  void a_line_longer_than_what_is_kept_keeps_its_id_and_its_whole_range() throws Exception {
    String longLine = "{\"_id\":\"big\",\"text\":\"" + "y".repeat(5000) + "\"}";
    byte[] corpus =
        ("{\"_id\":\"small\",\"text\":\"z\"}\n" + longLine + "\n").getBytes(StandardCharsets.UTF_8);
    List<DiscoveredDocument> docs = new ArrayList<>();

    scan(corpus, docs, 100);

    assertThat(docs).extracting(DiscoveredDocument::externalId).containsExactly("small", "big");
    Locator big = docs.get(1).locator();
    assertThat(big.length()).isEqualTo(longLine.length());
    assertThat(docs.get(1).contentHash())
        .isEqualTo(Hashing.sha256(longLine.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void the_id_of_a_cut_line_is_read_as_far_as_the_bytes_go() {
    byte[] line =
        "{\"title\":\"T\",\"meta\":{\"a\":[1,2]},\"_id\":\"x\",\"text\":\"long"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(SourceScanner.idAndTitle(line, line.length)).containsExactly("x", "T");
    assertThat(SourceScanner.idAndTitle(line, 12)).containsExactly(null, "T");
    assertThat(SourceScanner.idAndTitle("not json".getBytes(StandardCharsets.UTF_8), 8))
        .containsExactly(null, null);
  }

  @Test
  void uploaded_jsonl_is_read_from_the_blob_store(@TempDir Path dir) throws Exception {
    byte[] corpus = "{\"_id\":\"x\",\"text\":\"t\"}\n".getBytes(StandardCharsets.UTF_8);
    String sha = Hashing.sha256(corpus);
    List<DiscoveredDocument> docs = new ArrayList<>();
    SourceScanner.scanBlob(
        new ManifestEntry("/client/c.jsonl", sha, corpus.length), h -> corpus, docs::add);
    assertThat(docs)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.externalId()).isEqualTo("x");
              assertThat(d.locator().kind()).isEqualTo(Locator.BLOB);
              assertThat(d.locator().ref()).isEqualTo(sha);
            });
  }

  @Test
  void a_scan_covers_its_root_the_lines_of_a_corpus_and_the_visible_files_under_a_directory() {
    assertThat(SourceScanner.covers("/d", "/d")).isTrue();
    assertThat(SourceScanner.covers("/d", "/d/a.txt")).isTrue();
    assertThat(SourceScanner.covers("/d", "/d/sub/corpus.jsonl#7")).isTrue();
    assertThat(SourceScanner.covers("/", "/d/a.txt")).isTrue();
    assertThat(SourceScanner.covers("/d/corpus.jsonl", "/d/corpus.jsonl#7")).isTrue();

    assertThat(SourceScanner.covers("/d", "/d-old/a.txt")).isFalse();
    assertThat(SourceScanner.covers("/d", "/d#x/a.txt")).isFalse();
    assertThat(SourceScanner.covers("/d", "/d/.drafts/a.txt")).isFalse();
    assertThat(SourceScanner.covers("/d", "/d/.a.txt")).isFalse();
    assertThat(SourceScanner.covers("/d/a.txt", "/d/a.txt#7")).isFalse();
  }

  /** Scans {@code corpus} as the file {@code c.jsonl}, keeping each document in {@code docs}. */
  private static void scan(byte[] corpus, List<DiscoveredDocument> docs, int maxParsedLine)
      throws IOException {
    SourceScanner.scanJsonl(
        new ByteArrayInputStream(corpus),
        "c.jsonl",
        (offset, length) -> new Locator(Locator.FILE, "c.jsonl", "c.jsonl", offset, length),
        docs::add,
        maxParsedLine);
  }
}
