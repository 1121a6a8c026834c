package io.engram.core.ingestion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
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
      scanJsonl(
          Files.readAllBytes(file),
          uri,
          (offset, length) -> new Locator(Locator.FILE, uri, name, offset, length),
          sink);
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
          blobs.read(entry.sha256()),
          entry.path(),
          (offset, length) -> new Locator(Locator.BLOB, entry.sha256(), name, offset, length),
          sink);
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
  private interface RangeLocator {
    Locator at(long offset, int length);
  }

  /**
   * One document per line, keyed by {@code _id} (kept as the external id). A line that is not a
   * JSON object with an {@code _id} is listed as its own document keyed by line number, so it fails
   * alone with a reason instead of silently disappearing.
   */
  private static void scanJsonl(
      byte[] bytes, String uri, RangeLocator locate, Consumer<DiscoveredDocument> sink) {
    int start = 0;
    int lineNo = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      lineNo++;
      int length = end - start;
      if (length > 0 && bytes[end - 1] == '\r') {
        length--;
      }
      if (length > 0 && !isBlank(bytes, start, length)) {
        String id = null;
        String title = null;
        try {
          JsonNode node = JSON.readTree(bytes, start, length);
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
        String externalId = id == null ? "line-" + lineNo : id;
        sink.accept(
            new DiscoveredDocument(
                uri + "#" + externalId,
                externalId,
                title,
                Hashing.sha256(bytes, start, length),
                locate.at(start, length)));
      }
      start = end + 1;
    }
  }

  private static boolean isBlank(byte[] bytes, int start, int length) {
    for (int i = start; i < start + length; i++) {
      if (!Character.isWhitespace(bytes[i])) {
        return false;
      }
    }
    return true;
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
