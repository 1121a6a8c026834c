package io.engram.core.ingestion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.segment.TextSegment;
import io.engram.core.Hashing;
import io.engram.core.embedding.EmbeddableText;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a discovered document into the chunks to embed: reads its bytes (a file on the worker or an
 * uploaded blob, whole or a byte range), parses them (one line of a BEIR corpus, or a document for
 * {@link DocumentReader}) and splits the text.
 */
final class DocumentChunker {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A document's title, type and chunks, in order. */
  record Chunked(String title, String mime, List<String> chunks) {}

  private final BlobStore blobs;
  private final DocumentReader reader;

  DocumentChunker(BlobStore blobs, DocumentReader reader) {
    this.blobs = blobs;
    this.reader = reader;
  }

  /**
   * @param contentHash what the document's bytes hashed to when it was discovered
   * @throws DocumentRejectedException when the document can never be ingested as it is, or no
   *     longer holds the content discovered (another run must discover it again)
   * @throws IOException when its bytes cannot be read now (a retry may succeed)
   */
  Chunked chunk(Locator loc, String contentHash, DocumentSplitter splitter)
      throws DocumentRejectedException, IOException {
    byte[] bytes = load(loc);
    // The content discovered, not whatever the source holds now: a file edited since, or a JSONL
    // corpus with a line added or removed (the byte range then holds part of another line, or a
    // whole one with another _id). The hash covers exactly the range's bytes, so a matching one
    // also means the same _id.
    if (!Hashing.sha256(bytes).equals(contentHash)) {
      throw changedSinceDiscovery(loc);
    }
    String title;
    String text;
    String mime;
    if (loc.isRange()) {
      // One line of a BEIR corpus: title and text are embedded together, as BEIR evaluates them.
      JsonNode node;
      try {
        node = JSON.readTree(bytes);
      } catch (JsonProcessingException e) {
        throw new DocumentRejectedException("malformed JSON line: " + e.getOriginalMessage());
      }
      if (node == null
          || !node.isObject()
          || !node.hasNonNull("_id")
          || !EmbeddableText.isReadable(node.get("_id").asText())) {
        throw new DocumentRejectedException("JSONL line is not an object with a non-blank _id");
      }
      title = DocumentReader.withoutNul(node.path("title").asText(""));
      String body = DocumentReader.withoutNul(node.path("text").asText(""));
      if (!EmbeddableText.isReadable(title) && !EmbeddableText.isReadable(body)) {
        throw new DocumentRejectedException(
            "JSONL document has neither title nor text (or only white space or invisible"
                + " characters)");
      }
      // One line break, not a blank line: as one paragraph the title stays with the first
      // sentences instead of becoming a chunk of its own.
      text = title.isBlank() ? body : title + "\n" + body;
      mime = "text/plain";
    } else {
      DocumentReader.ParsedDocument parsed = reader.read(loc.name(), bytes);
      title = parsed.title();
      text = parsed.text();
      mime = parsed.mime();
    }
    // A piece of nothing but invisible characters (zero-width spaces between two paragraphs)
    // carries nothing to search for, and the embedding model refuses it.
    List<String> chunks =
        Chunks.dropContained(
            splitter.split(Document.from(text)).stream()
                .map(TextSegment::text)
                .filter(EmbeddableText::isReadable)
                .toList());
    if (chunks.isEmpty()) {
      throw new DocumentRejectedException(
          "no readable text: only white space or invisible characters (such as zero-width spaces"
              + " or byte-order marks)");
    }
    return new Chunked(title, mime, chunks);
  }

  /** Reads the document's bytes, checking their size against the limit before reading them. */
  private byte[] load(Locator loc) throws IOException, DocumentRejectedException {
    if (loc.isRange()) {
      reader.checkSize(loc.length());
    }
    if (Locator.BLOB.equals(loc.kind())) {
      if (loc.isRange()) {
        return blobs.readRange(loc.ref(), loc.offset(), loc.length());
      }
      reader.checkSize(
          blobs
              .size(loc.ref())
              .orElseThrow(
                  () -> new IOException("blob " + loc.ref() + " is not stored; upload it again")));
      return blobs.read(loc.ref());
    }
    Path path = Path.of(loc.ref());
    try {
      if (!loc.isRange()) {
        reader.checkSize(Files.size(path));
        return Files.readAllBytes(path);
      }
      try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
        byte[] part = new byte[loc.length()];
        file.seek(loc.offset());
        file.readFully(part);
        return part;
      } catch (EOFException e) {
        // The corpus is shorter than when it was discovered; no retry brings the line back.
        throw changedSinceDiscovery(loc);
      }
    } catch (NoSuchFileException e) {
      throw new DocumentRejectedException("file disappeared before it could be read");
    }
  }

  private static DocumentRejectedException changedSinceDiscovery(Locator loc) {
    return new DocumentRejectedException(
        (loc.isRange() ? "line" : "file") + " changed since discovery; ingest again");
  }
}
