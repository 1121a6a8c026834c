package io.engram.core.rerank;

import io.engram.testing.TestCrossEncoders;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cross-encoder over the real ONNX Runtime and tokenizer, with the tiny word-overlap model of
 * {@link TestCrossEncoders} and the default settings.
 */
class CrossEncoderRerankerContractTest extends RerankerContract {

  @TempDir static Path models;

  private static CrossEncoderReranker reranker;

  @BeforeAll
  static void load() {
    Path dir = TestCrossEncoders.install(TestCrossEncoders.OVERLAP, models.resolve("overlap"));
    reranker = CrossEncoderReranker.load(CrossEncoderReranker.Settings.of(dir));
  }

  @AfterAll
  static void close() {
    reranker.close();
  }

  @Override
  protected Reranker reranker() {
    return reranker;
  }
}
