package io.engram.core.ingestion;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.parser.apache.tika.ApacheTikaDocumentParser;
import io.engram.core.embedding.EmbeddableText;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a document's bytes into text. PDF and HTML go through Apache Tika (langchain4j's parser);
 * the text types are decoded as strict UTF-8 so a binary file with a text extension is rejected
 * instead of being indexed as noise.
 */
public final class DocumentReader {

  /** The text of a document and what was learned about it while reading. */
  public record ParsedDocument(String title, String text, String mime) {}

  // With metadata, so a PDF's or an HTML page's own title is used.
  private final ApacheTikaDocumentParser tika = new ApacheTikaDocumentParser(true);
  private final long maxBytes;

  public DocumentReader(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * Rejects a document of {@code size} bytes if it is over the limit; called before its bytes are
   * read, so a huge file fails alone instead of exhausting the heap.
   */
  public void checkSize(long size) throws DocumentRejectedException {
    if (size > maxBytes) {
      throw new DocumentRejectedException(
          "document is %d bytes, over the limit of %d (ENGRAM_MAX_DOCUMENT_BYTES)"
              .formatted(size, maxBytes));
    }
  }

  public ParsedDocument read(String fileName, byte[] bytes) throws DocumentRejectedException {
    DocumentType type =
        DocumentType.ofFileName(fileName)
            .orElseThrow(
                () ->
                    new DocumentRejectedException(
                        "unsupported file type; supported: " + DocumentType.supportedExtensions()));
    if (bytes.length == 0) {
      throw new DocumentRejectedException("empty file");
    }
    checkSize(bytes.length);
    String fallbackTitle = baseName(fileName);
    if (type.plainText()) {
      String text = withoutNul(decodeText(bytes));
      if (!EmbeddableText.isReadable(text)) {
        throw new DocumentRejectedException(
            "no text in file (only white space or invisible characters)");
      }
      return new ParsedDocument(titleOf(type, text, fallbackTitle), text, type.mime());
    }
    Document document;
    try {
      document = tika.parse(new ByteArrayInputStream(bytes));
    } catch (RuntimeException e) {
      // Tika wraps every parse failure (corrupt PDF, encrypted file, truncated HTML) in a runtime
      // exception: they are properties of the file, so no retry can help.
      throw new DocumentRejectedException("cannot parse " + type + ": " + rootMessage(e), e);
    }
    String text = withoutNul(document.text());
    if (!EmbeddableText.isReadable(text)) {
      throw new DocumentRejectedException("no extractable text in " + type);
    }
    String title = withoutNul(document.metadata().getString("dc:title"));
    if (title == null || title.isBlank()) {
      title = withoutNul(document.metadata().getString("title"));
    }
    return new ParsedDocument(
        title == null || title.isBlank() ? fallbackTitle : title.strip(), text, type.mime());
  }

  /**
   * Removes U+0000 from text read out of a document. PostgreSQL's text types cannot hold it, so a
   * single NUL (past the binary probe of a text file, from an escape in a JSON string or from a
   * parser) would make the document impossible to store; in text it carries no meaning.
   */
  static String withoutNul(String text) {
    return text == null || text.indexOf('\0') < 0 ? text : text.replace("\0", "");
  }

  /**
   * Decodes a plain-text file: UTF-8, or UTF-16 when a byte-order mark says so (what Windows tools
   * write as "Unicode"). A byte-order mark is not text and is left out of it; without one, a NUL in
   * the first 8 KiB means a binary file.
   */
  static String decodeText(byte[] bytes) throws DocumentRejectedException {
    if (startsWith(bytes, 0xFF, 0xFE) || startsWith(bytes, 0xFE, 0xFF)) {
      // Java's UTF-16 decoder reads the mark to choose the byte order, and drops it.
      return decode(bytes, 0, StandardCharsets.UTF_16, "UTF-16");
    }
    int probe = Math.min(bytes.length, 8192);
    for (int i = 0; i < probe; i++) {
      if (bytes[i] == 0) {
        throw new DocumentRejectedException(
            "binary content (NUL bytes) in a text file; text files are read as UTF-8, or as"
                + " UTF-16 when they start with a byte-order mark");
      }
    }
    int start = startsWith(bytes, 0xEF, 0xBB, 0xBF) ? 3 : 0;
    return decode(bytes, start, StandardCharsets.UTF_8, "UTF-8");
  }

  private static String decode(byte[] bytes, int start, Charset charset, String name)
      throws DocumentRejectedException {
    try {
      return charset
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, start, bytes.length - start))
          .toString();
    } catch (CharacterCodingException e) {
      throw new DocumentRejectedException("not valid " + name + " text (binary file?)");
    }
  }

  private static boolean startsWith(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((bytes[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String titleOf(DocumentType type, String text, String fallback) {
    if (type == DocumentType.MARKDOWN) {
      for (String line : text.lines().limit(50).toList()) {
        if (line.startsWith("# ")) {
          return line.substring(2).strip();
        }
      }
    }
    return fallback;
  }

  private static String baseName(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return path.substring(slash + 1);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
