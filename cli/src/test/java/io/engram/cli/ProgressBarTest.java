package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  private final StringWriter sink = new StringWriter();
  private final AtomicLong now = new AtomicLong(1_000_000);

  @Test
  void plainOutputPrintsAtMostEveryFiveSecondsAndEndsWithTheFinalState() {
    ProgressBar bar = new ProgressBar(new PrintWriter(sink), false, "ingesting", now::get);

    bar.update(0, 10, "discovering");
    now.addAndGet(1_000);
    bar.update(3, 10, "embedding");
    now.addAndGet(4_500);
    bar.update(6, 10, "embedding");
    now.addAndGet(100);
    bar.update(10, 10, "done");
    bar.finish();

    assertThat(sink.toString())
        .isEqualTo(
            "ingesting   0% 0/10 discovering\n"
                + "ingesting  60% 6/10 embedding\n"
                + "ingesting 100% 10/10 done\n");
  }

  @Test
  void plainOutputDoesNotRepeatAnUnchangedLine() {
    ProgressBar bar = new ProgressBar(new PrintWriter(sink), false, "evaluating", now::get);

    for (int i = 0; i < 10; i++) {
      bar.update(5, 20, "answering");
      now.addAndGet(6_000);
    }
    bar.update(10, 20, "answering");
    bar.finish();

    assertThat(sink.toString())
        .isEqualTo("evaluating  25% 5/20 answering\n" + "evaluating  50% 10/20 answering\n");
  }

  @Test
  void terminalOutputRedrawsOneLineInPlace() {
    ProgressBar bar = new ProgressBar(new PrintWriter(sink), true, "uploading", now::get);

    bar.update(1, 2, "long detail text");
    now.addAndGet(1_000);
    bar.update(2, 2, "x");
    bar.finish();

    String output = sink.toString();
    assertThat(output).startsWith("\ruploading [###############...............]  50% 1/2");
    assertThat(output).contains("\ruploading [##############################] 100% 2/2 x");
    assertThat(output).endsWith(" \n").doesNotContain("\n\r");
  }
}
