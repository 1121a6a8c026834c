package io.engram.core.ingestion;

import java.util.ArrayList;
import java.util.List;

/** Clean-up of splitter output before anything is embedded. */
final class Chunks {
  private Chunks() {}

  /**
   * Drops a chunk whose text is contained in the next one. langchain4j's recursive splitter with
   * overlap emits a short leading paragraph (a title, a heading) on its own, sometimes twice, and
   * then again as the start of the following chunk; those copies cost an embedding each and crowd
   * search results with duplicates.
   */
  static List<String> dropContained(List<String> chunks) {
    List<String> kept = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      String chunk = chunks.get(i).strip();
      if (chunk.isEmpty()) {
        continue;
      }
      if (i + 1 < chunks.size() && chunks.get(i + 1).contains(chunk)) {
        continue;
      }
      kept.add(chunk);
    }
    return kept;
  }
}
