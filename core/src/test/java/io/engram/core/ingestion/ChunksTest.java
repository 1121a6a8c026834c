package io.engram.core.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunksTest {

  @Test
  void drops_a_chunk_repeated_at_the_start_of_the_next() {
    assertThat(Chunks.dropContained(List.of("Title", "Title", "Title. Body one.", "Body two.")))
        .containsExactly("Title. Body one.", "Body two.");
  }

  @Test
  void keeps_distinct_chunks_and_drops_blank_ones() {
    assertThat(Chunks.dropContained(List.of("alpha", " ", "beta", "gamma")))
        .containsExactly("alpha", "beta", "gamma");
  }

  @Test
  void a_short_heading_before_a_long_paragraph_yields_no_heading_only_chunk() {
    String body = "Sentence number %d talks about white matter development. ".repeat(1).repeat(1);
    StringBuilder text = new StringBuilder("A short title\n\n");
    for (int i = 0; i < 40; i++) {
      text.append(body.formatted(i));
    }
    List<String> raw =
        DocumentSplitters.recursive(1024, 200).split(Document.from(text.toString())).stream()
            .map(TextSegment::text)
            .toList();
    List<String> cleaned = Chunks.dropContained(raw);
    assertThat(cleaned).noneMatch(c -> c.equals("A short title"));
    assertThat(String.join(" ", cleaned)).contains("Sentence number 39");
  }
}
