package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentChunkerTest {
  private final DocumentSplitter splitter = DocumentSplitters.recursive(1024, 200);

  /** Files only: no blob is read. */
  private final DocumentChunker chunker = new DocumentChunker(null, new DocumentReader(1024));

  @Test
  void a_file_over_the_limit_is_rejected_before_it_is_read(@TempDir Path dir) throws Exception {
    // Sparse, so the test writes nothing; reading it whole would need an array over 2 GB.
    Path huge = dir.resolve("huge.txt");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(5L << 29);
    }

    assertThatThrownBy(() -> chunker.chunk(file(huge, -1, -1), "unread", splitter))
        .isInstanceOf(DocumentRejectedException.class)
        .hasMessage(
            "document is 2684354560 bytes, over the limit of 1024 (ENGRAM_MAX_DOCUMENT_BYTES)");
  }

  @Test
  void a_jsonl_line_over_the_limit_is_rejected_before_it_is_read(@TempDir Path dir)
      throws Exception {
    Path corpus = dir.resolve("corpus.jsonl");
    Files.writeString(corpus, "{\"_id\": \"d1\", \"text\": \"tea\"}\n");

    assertThatThrownBy(() -> chunker.chunk(file(corpus, 0, 4096), "unread", splitter))
        .isInstanceOf(DocumentRejectedException.class)
        .hasMessageContaining("document is 4096 bytes, over the limit of 1024");
  }

  private static Locator file(Path path, long offset, int length) {
    return new Locator(
        Locator.FILE, path.toString(), path.getFileName().toString(), offset, length);
  }
}
