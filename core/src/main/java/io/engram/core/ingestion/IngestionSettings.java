package io.engram.core.ingestion;

import java.nio.file.Path;
import java.util.List;

/**
 * What ingestion may read.
 *
 * @param roots directories under which a server-side {@code path} may be read; none disables
 *     server-side paths
 * @param maxDocumentBytes documents larger than this fail alone with a reason
 */
public record IngestionSettings(List<Path> roots, long maxDocumentBytes) {
  public IngestionSettings {
    roots = List.copyOf(roots);
    if (maxDocumentBytes <= 0) {
      throw new IllegalArgumentException("max document bytes must be positive");
    }
  }
}
