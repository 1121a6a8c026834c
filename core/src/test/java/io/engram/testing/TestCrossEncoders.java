package io.engram.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Lays out the tiny ONNX cross-encoders of {@code scripts/dev/make-test-cross-encoder.py} as an
 * operator would: a directory with {@code model.onnx} and {@code tokenizer.json}. Their logit is
 * the share of the passage's wordpieces that also occur in the query, so tests know every score.
 *
 * <p>The tokenizer is the BERT uncased WordPiece tokenizer inside the bge-small-en-v1.5 jar (MIT),
 * copied from the class path at test time rather than kept as a 700 KB test resource.
 */
public final class TestCrossEncoders {

  /** Inputs input_ids, attention_mask, token_type_ids; logits [batch, 1]. */
  public static final String OVERLAP = "overlap";

  /** As {@link #OVERLAP} with logits [batch, 2] = (0, overlap). */
  public static final String TWO_CLASS = "overlap-two-class";

  /** As {@link #OVERLAP} without token_type_ids: segments are told apart by [SEP]. */
  public static final String NO_TOKEN_TYPES = "overlap-no-token-types";

  /** Inputs named ids and mask: no input_ids. */
  public static final String NO_INPUT_IDS = "no-input-ids";

  /** Logits [batch, 3]. */
  public static final String THREE_LOGITS = "three-logits";

  private static final String TOKENIZER_RESOURCE = "bge-small-en-v1.5-q-tokenizer.json";

  private TestCrossEncoders() {}

  /** Writes {@code variant}'s model.onnx and the tokenizer.json into {@code dir}; returns it. */
  public static Path install(String variant, Path dir) {
    try {
      Files.createDirectories(dir);
      copy("rerank/cross-encoder/" + variant + "/model.onnx", dir.resolve("model.onnx"));
      copy(TOKENIZER_RESOURCE, dir.resolve("tokenizer.json"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("could not lay out the test cross-encoder in " + dir, e);
    }
  }

  private static void copy(String resource, Path target) throws IOException {
    try (InputStream in = TestCrossEncoders.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " is not on the test class path");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
