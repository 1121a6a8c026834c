package io.engram.core.embedding;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import io.engram.core.config.DjlOffline;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * One of langchain4j's in-process ONNX embedding models (weights and tokenizer inside its Maven
 * jar), loaded with session options that fit a small machine: ONNX Runtime's intra-op threads
 * otherwise spin-wait between operators, which on two cores doubled the CPU time of a query
 * embedding (31 ms instead of 14 ms) and starved PostgreSQL's full-text leg running beside it. The
 * model is small enough that one intra-op thread embeds a query as fast as two; batches are still
 * spread over the cores by {@code embedAll}'s executor. The vectors are identical to the stock
 * classes'.
 */
final class JarOnnxEmbeddingModel extends AbstractInProcessEmbeddingModel {
  private final OnnxBertBiEncoder encoder;
  private final int dimension;

  JarOnnxEmbeddingModel(
      String modelResource,
      String tokenizerResource,
      PoolingMode pooling,
      int dimension,
      int intraOpThreads) {
    super(null);
    this.dimension = dimension;
    ClassLoader loader = JarOnnxEmbeddingModel.class.getClassLoader();
    try (InputStream model = open(loader, modelResource);
        InputStream tokenizer = open(loader, tokenizerResource)) {
      DjlOffline.enable();
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(intraOpThreads);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      this.encoder =
          new OnnxBertBiEncoder(
              env, env.createSession(model.readAllBytes(), options), tokenizer, pooling);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + modelResource + " from the classpath", e);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime could not load " + modelResource, e);
    }
  }

  private static InputStream open(ClassLoader loader, String resource) throws IOException {
    InputStream in = loader.getResourceAsStream(resource);
    if (in == null) {
      throw new IOException(resource + " is not on the classpath; is its langchain4j jar missing?");
    }
    return in;
  }

  @Override
  protected OnnxBertBiEncoder model() {
    return encoder;
  }

  @Override
  protected Integer knownDimension() {
    return dimension;
  }
}
