package io.engram.core.ingestion;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.Hashing;
import io.engram.core.embedding.EmbeddableText;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Enumerates the documents of a source: every regular, non-hidden file of a directory (recursively,
 * never following symbolic links), a single file, or each line of a BEIR-style JSONL corpus. It
 * reads bytes only to hash them; parsing happens later, and only for documents that changed.
 */
public final class SourceScanner {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The most bytes of a JSONL line kept to read its {@code _id} and title: more than any document
   * the size limit lets through ({@code ENGRAM_MAX_DOCUMENT_BYTES}, 50 MiB by default).
   */
  static final int MAX_PARSED_LINE = 64 * 1024 * 1024;

  private SourceScanner() {}

  /** Scans a path on this host. Unsupported file types are listed too, so they fail visibly. */
  public static void scanPath(Path root, Consumer<DiscoveredDocument> sink) throws IOException {
    if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(root)) {
        files =
            walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                .filter(p -> !isHidden(root.relativize(p)))
                .sorted()
                .toList();
      }
      for (Path file : files) {
        scanFile(file, sink);
      }
    } else {
      scanFile(root, sink);
    }
  }

  private static void scanFile(Path file, Consumer<DiscoveredDocument> sink) throws IOException {
    String name = file.getFileName().toString();
    String uri = file.toString();
    if (DocumentType.ofFileName(name).orElse(null) == DocumentType.JSONL) {
      // Streamed: a corpus may be larger than the heap, or than an array can hold (2 GiB).
      try (InputStream in = Files.newInputStream(file)) {
        scanJsonl(
            in,
            uri,
            (offset, length) -> new Locator(Locator.FILE, uri, name, offset, length),
            sink,
            MAX_PARSED_LINE);
      }
    } else {
      sink.accept(
          new DiscoveredDocument(
              uri, null, null, Hashing.sha256(file), new Locator(Locator.FILE, uri, name, -1, -1)));
    }
  }

  /** Scans an uploaded file; {@code content} is only read for JSONL corpora. */
  public static void scanBlob(
      ManifestEntry entry, BlobReader blobs, Consumer<DiscoveredDocument> sink) throws IOException {
    String name = Path.of(entry.path()).getFileName().toString();
    if (DocumentType.ofFileName(name).orElse(null) == DocumentType.JSONL) {
      scanJsonl(
          new ByteArrayInputStream(blobs.read(entry.sha256())),
          entry.path(),
          (offset, length) -> new Locator(Locator.BLOB, entry.sha256(), name, offset, length),
          sink,
          MAX_PARSED_LINE);
    } else {
      sink.accept(
          new DiscoveredDocument(
              entry.path(),
              null,
              null,
              entry.sha256(),
              new Locator(Locator.BLOB, entry.sha256(), name, -1, -1)));
    }
  }

  /** Reads a blob's bytes. */
  @FunctionalInterface
  public interface BlobReader {
    byte[] read(String sha256) throws IOException;
  }

  @FunctionalInterface
  interface RangeLocator {
    Locator at(long offset, int length);
  }

  /**
   * One document per line, keyed by {@code _id} (kept as the external id). A line that is not a
   * JSON object with an {@code _id} is listed as its own document keyed by line number, so it fails
   * alone with a reason instead of silently disappearing. Read as a stream: each line is hashed as
   * it goes (its bytes without the line break, as processing reads its range again), and only the
   * first {@code maxParsed} bytes of a line are kept to find its id; a longer line's id is read
   * from them, token by token (a line whose {@code _id} comes later is listed by its number).
   */
  static void scanJsonl(
      InputStream in,
      String uri,
      RangeLocator locate,
      Consumer<DiscoveredDocument> sink,
      int maxParsed)
      throws IOException {
    byte[] buffer = new byte[64 * 1024];
    Line line = new Line(maxParsed);
    long base = 0;
    int lineNo = 1;
    for (int n = in.read(buffer); n >= 0; base += n, n = in.read(buffer)) {
      int from = 0;
      for (int i = 0; i < n; i++) {
        if (buffer[i] == '\n') {
          line.add(buffer, from, i);
          line.end(uri, lineNo++, locate, sink);
          line.reset(base + i + 1);
          from = i + 1;
        }
      }
      line.add(buffer, from, n);
    }
    line.end(uri, lineNo, locate, sink);
  }

  /** A line of a JSONL corpus as it is read: its hash so far, and its first bytes. */
  private static final class Line {
    private static final byte[] CARRIAGE_RETURN = {'\r'};

    private final MessageDigest digest = Hashing.digest();
    private final int maxKept;
    private byte[] head;
    private long start;
    private long length;
    private int kept;
    private boolean carriageReturn;
    private boolean blank = true;

    Line(int maxParsed) {
      maxKept = Math.max(0, maxParsed);
      head = new byte[Math.min(8192, maxKept)];
    }

    /** Starts the next line, at {@code offset}; the buffer kept for the first bytes is reused. */
    void reset(long offset) {
      digest.reset();
      start = offset;
      length = 0;
      kept = 0;
      carriageReturn = false;
      blank = true;
    }

    /**
     * Bytes {@code from <= i < to} of the line (none a line feed); a carriage return that ends them
     * is held back until it is known not to end the line.
     */
    void add(byte[] bytes, int from, int to) {
      if (from == to) {
        return;
      }
      if (carriageReturn) {
        take(CARRIAGE_RETURN, 0, 1);
        carriageReturn = false;
      }
      if (bytes[to - 1] == '\r') {
        carriageReturn = true;
        to--;
      }
      take(bytes, from, to);
    }

    private void take(byte[] bytes, int from, int to) {
      int n = to - from;
      digest.update(bytes, from, n);
      int keep = (int) Math.min(n, maxKept - (long) kept);
      if (keep > 0) {
        if (kept + keep > head.length) {
          head =
              Arrays.copyOf(head, (int) Math.min(Math.max(2L * head.length, kept + keep), maxKept));
        }
        System.arraycopy(bytes, from, head, kept, keep);
        kept += keep;
      }
      length += n;
      for (int i = from; blank && i < to; i++) {
        blank = Character.isWhitespace(bytes[i]);
      }
    }

    /** Lists the finished line (without its line break) unless it is blank. */
    void end(String uri, int lineNo, RangeLocator locate, Consumer<DiscoveredDocument> sink) {
      if (length == 0 || blank) {
        return;
      }
      String id = null;
      String title = null;
      if (kept == length) {
        try {
          JsonNode node = JSON.readTree(head, 0, kept);
          if (node != null && node.hasNonNull("_id")) {
            // Without NUL, which PostgreSQL's text columns refuse: one in an id or a title would
            // fail the whole discovery rather than this document.
            id = DocumentReader.withoutNul(node.get("_id").asText());
            title =
                node.hasNonNull("title")
                    ? DocumentReader.withoutNul(node.get("title").asText())
                    : null;
          }
        } catch (IOException malformed) {
          // Left without an id: processing records the parse error against this line.
        }
      } else {
        // Longer than what was kept: the id is read from the first bytes, token by token.
        String[] found = idAndTitle(head, kept);
        id = found[0] == null ? null : DocumentReader.withoutNul(found[0]);
        title = found[1] == null ? null : DocumentReader.withoutNul(found[1]);
      }
      // An _id of nothing readable ("", spaces) names nothing: the line is named by its number.
      String externalId = EmbeddableText.isReadable(id) ? id : LINE_ID + lineNo;
      sink.accept(
          new DiscoveredDocument(
              uri + "#" + externalId,
              externalId,
              title,
              HexFormat.of().formatHex(digest.digest()),
              locate.at(start, (int) Math.min(length, Integer.MAX_VALUE))));
    }
  }

  /** The id a JSONL line without {@code _id} is given: this and its line number. */
  private static final String LINE_ID = "line-";

  /** Whether {@code externalId} is one given to a JSONL line without {@code _id}. */
  static boolean isLineId(String externalId) {
    return externalId.startsWith(LINE_ID)
        && externalId.length() > LINE_ID.length()
        && externalId.substring(LINE_ID.length()).chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /**
   * The {@code _id} and {@code title} of a JSON object of which only the first {@code length} bytes
   * are at hand, as far as they go (nulls where they are not reached).
   */
  static String[] idAndTitle(byte[] bytes, int length) {
    String[] found = new String[2];
    try (JsonParser p = JSON.getFactory().createParser(bytes, 0, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return found;
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (value.isScalarValue() && ("_id".equals(field) || "title".equals(field))) {
          found["_id".equals(field) ? 0 : 1] = p.getValueAsString();
        } else {
          p.skipChildren();
        }
        if (found[0] != null && found[1] != null) {
          break;
        }
      }
    } catch (IOException truncated) {
      // The bytes end inside the object: what was read stands.
    }
    return found;
  }

  /**
   * Whether a scan of {@code root} (a server-side path, or the directory or file an upload came
   * from) lists the document {@code sourceUri} when it exists: the root itself, a line of the root
   * (a JSONL corpus), or a file under the root (a directory) that is not hidden. A document it
   * covers and did not list is gone from the source.
   */
  public static boolean covers(String root, String sourceUri) {
    if (sourceUri.equals(root)) {
      return true;
    }
    if (sourceUri.startsWith(root + "#")) {
      return DocumentType.ofFileName(root).orElse(null) == DocumentType.JSONL;
    }
    String directory = root.endsWith("/") ? root : root + "/";
    if (!sourceUri.startsWith(directory)) {
      return false;
    }
    for (String part : sourceUri.substring(directory.length()).split("/")) {
      if (part.isEmpty() || part.startsWith(".")) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** Collects a scan into a list (tests and small sources). */
  public static List<DiscoveredDocument> scanPath(Path root) throws IOException {
    List<DiscoveredDocument> out = new ArrayList<>();
    scanPath(root, out::add);
    return out;
  }
}
