package io.engram.core.rerank;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.config.DjlOffline;
import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A cross-encoder over (query, passage) pairs, run with ONNX Runtime: a Hugging Face sequence
 * classification model exported to ONNX (e.g. {@code cross-encoder/ms-marco-MiniLM-L-6-v2} or
 * {@code BAAI/bge-reranker-base}) in an operator-provided directory with {@code model.onnx} and
 * {@code tokenizer.json}. Each pair is tokenized by DJL's Hugging Face tokenizer (query as the
 * first segment, the chunk's title and text as the second, truncated longest-first to {@link
 * Settings#maxLength()}), batched with the pairs of similar length, and scored in one forward pass
 * per batch.
 *
 * <p>Only the top {@link Settings#topN()} fused candidates are scored, because each costs a forward
 * pass of a transformer; the rest follow them in fusion order. A scored candidate's score becomes
 * the model's probability of relevance (the logistic of a single logit, or the softmax of the
 * second of two classes), which is not comparable with the fusion scores the unscored candidates
 * keep.
 *
 * <p>Thread-safe: ONNX Runtime sessions and the tokenizer may be used by concurrent queries.
 * Loading validates everything it can (files, inputs, output shape, length) so a wrong directory
 * fails the process at start-up rather than the first query.
 */
public final class CrossEncoderReranker implements Reranker, AutoCloseable {

  /** The exported model in the directory. */
  public static final String MODEL_FILE = "model.onnx";

  /** The Hugging Face fast tokenizer saved with the model. */
  public static final String TOKENIZER_FILE = "tokenizer.json";

  /** Read when present: the model's position limit. */
  static final String CONFIG_FILE = "config.json";

  /** Tokens per (query, passage) pair; most cross-encoders were trained at 512 or fewer. */
  public static final int DEFAULT_MAX_LENGTH = 512;

  /**
   * Fused candidates scored per query. Each costs a transformer forward pass: judging by the
   * bge-small embedding throughput measured on two cores (about 20 passages of 250 tokens a second,
   * docs/benchmarks/ingest.md), a 6-layer MiniLM cross-encoder needs tens of milliseconds per pair
   * and core, so the cost of N grows linearly and 100 would take seconds. 20 is four times the
   * API's default of 5 sources: the model can still lift a relevant chunk from well below the cut.
   */
  public static final int DEFAULT_TOP_N = 20;

  /**
   * Pairs per forward pass. Attention holds batch × heads × length² floats per layer: at 512
   * tokens, 8 pairs of a 12-head base-size model are about 100 MB; more buys little on a CPU.
   */
  public static final int DEFAULT_BATCH_SIZE = 8;

  /** The name prefix, so that result model versions say which kind of reranker ran. */
  public static final String NAME_PREFIX = "cross-encoder:";

  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final String LOGITS = "logits";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What to load and how to run it.
   *
   * @param dir the directory holding {@code model.onnx} and {@code tokenizer.json}
   * @param name the name reported after {@link #NAME_PREFIX}; null or blank for the directory's
   *     name
   * @param maxLength tokens per pair, special tokens included
   * @param topN fused candidates scored per query
   * @param batchSize pairs per forward pass
   * @param threads ONNX Runtime intra-op threads per forward pass
   */
  public record Settings(
      Path dir, String name, int maxLength, int topN, int batchSize, int threads) {

    /**
     * @throws IllegalArgumentException naming the setting that is missing or not positive
     */
    public Settings {
      if (dir == null) {
        throw new IllegalArgumentException(
            "a cross-encoder needs a directory (" + Rerankers.ENV_CROSS_ENCODER_DIR + ")");
      }
      positive(maxLength, "max length", Rerankers.ENV_CROSS_ENCODER_MAX_LENGTH);
      positive(topN, "top N", Rerankers.ENV_CROSS_ENCODER_TOP_N);
      positive(batchSize, "batch size", Rerankers.ENV_CROSS_ENCODER_BATCH_SIZE);
      positive(threads, "threads", Rerankers.ENV_CROSS_ENCODER_THREADS);
      if (maxLength < 4) {
        throw new IllegalArgumentException(
            "the cross-encoder's max length must leave room for a query and a passage besides"
                + " the special tokens: at least 4, got "
                + maxLength
                + " ("
                + Rerankers.ENV_CROSS_ENCODER_MAX_LENGTH
                + ")");
      }
      name =
          name == null || name.isBlank()
              ? Optional.ofNullable(dir.toAbsolutePath().normalize().getFileName())
                  .map(Path::toString)
                  .orElse("model")
              : name.strip();
    }

    /** The defaults for a directory, one intra-op thread. */
    public static Settings of(Path dir) {
      return new Settings(dir, null, DEFAULT_MAX_LENGTH, DEFAULT_TOP_N, DEFAULT_BATCH_SIZE, 1);
    }

    private static void positive(int value, String what, String variable) {
      if (value < 1) {
        throw new IllegalArgumentException(
            "the cross-encoder's "
                + what
                + " must be positive, got "
                + value
                + " ("
                + variable
                + ")");
      }
    }
  }

  /**
   * The exported model as ONNX Runtime runs it: the session, which of the optional inputs the model
   * declares (only those are fed), and the output that holds its logits.
   */
  private record Model(
      OrtEnvironment environment,
      OrtSession session,
      boolean feedsAttentionMask,
      boolean feedsTokenTypes,
      String output) {

    /**
     * Opens {@code file} with {@code threads} intra-op threads and checks its inputs and output.
     *
     * @throws IllegalArgumentException when ONNX Runtime cannot load it, it lacks {@code input_ids}
     *     or needs an input this reranker cannot provide, or its output is not a float tensor of
     *     shape [batch], [batch, 1] or [batch, 2]; the session is closed then
     */
    static Model open(Path file, int threads) {
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      OrtSession session;
      try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        options.setIntraOpNumThreads(threads);
        // Spinning intra-op threads burn the cores PostgreSQL and the other queries need (see
        // JarOnnxEmbeddingModel).
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        session = environment.createSession(file.toString(), options);
      } catch (OrtException e) {
        throw new IllegalArgumentException(
            file + " is not a model ONNX Runtime can load: " + e.getMessage(), e);
      }
      try {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        checkInputs(file, inputs);
        return new Model(
            environment,
            session,
            inputs.containsKey(ATTENTION_MASK),
            inputs.containsKey(TOKEN_TYPE_IDS),
            logitsOutput(file, session.getOutputInfo()));
      } catch (OrtException e) {
        close(session);
        throw new IllegalStateException("ONNX Runtime could not describe " + file, e);
      } catch (RuntimeException e) {
        close(session);
        throw e;
      }
    }
  }

  private final Settings settings;
  private final HuggingFaceTokenizer tokenizer;
  private final Model model;
  private final long padId;

  private CrossEncoderReranker(
      Settings settings, HuggingFaceTokenizer tokenizer, Model model, long padId) {
    this.settings = settings;
    this.tokenizer = tokenizer;
    this.model = model;
    this.padId = padId;
  }

  /**
   * Loads the model and tokenizer in {@code settings.dir()} and checks that they fit together.
   *
   * @throws IllegalArgumentException when the directory or a file is missing, the model lacks
   *     {@code input_ids} or needs an input this reranker cannot provide, its output is not a float
   *     tensor of shape [batch], [batch, 1] or [batch, 2], or the max length exceeds the model's
   *     positions ({@code config.json})
   */
  public static CrossEncoderReranker load(Settings settings) {
    Path dir = settings.dir();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "cross-encoder directory "
              + dir
              + " does not exist or is not a directory; point "
              + Rerankers.ENV_CROSS_ENCODER_DIR
              + " at a directory holding "
              + MODEL_FILE
              + " and "
              + TOKENIZER_FILE
              + " of a Hugging Face cross-encoder exported to ONNX (see docs/rerank.md)");
    }
    Path modelFile = required(dir, MODEL_FILE, "the model exported to ONNX");
    Path tokenizerJson = required(dir, TOKENIZER_FILE, "the model's fast tokenizer");
    checkPositions(dir.resolve(CONFIG_FILE), settings.maxLength());
    long padId = padId(tokenizerJson);
    Model model = Model.open(modelFile, settings.threads());
    try {
      return new CrossEncoderReranker(
          settings, tokenizer(tokenizerJson, settings.maxLength()), model, padId);
    } catch (RuntimeException e) {
      close(model.session());
      throw e;
    }
  }

  /** Refuses a model without {@code input_ids} or with an input this reranker cannot provide. */
  private static void checkInputs(Path model, Map<String, NodeInfo> inputs) {
    if (!inputs.containsKey(INPUT_IDS)) {
      throw new IllegalArgumentException(
          model
              + " has inputs "
              + inputs.keySet()
              + " but no "
              + INPUT_IDS
              + "; export the cross-encoder with Hugging Face's input names (optimum-cli export"
              + " onnx --task text-classification)");
    }
    Set<String> unknown = new TreeSet<>(inputs.keySet());
    unknown.removeAll(List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          model
              + " needs inputs "
              + unknown
              + " this reranker does not provide (it feeds "
              + INPUT_IDS
              + ", "
              + ATTENTION_MASK
              + " and "
              + TOKEN_TYPE_IDS
              + ")");
    }
    for (NodeInfo input : inputs.values()) {
      if (!(input.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.INT64) {
        throw new IllegalArgumentException(
            model
                + " declares input "
                + input.getName()
                + " as "
                + input.getInfo()
                + "; a cross-encoder export takes int64 tensors");
      }
    }
  }

  /** The output holding the logits: {@code logits}, or the only output there is. */
  private static String logitsOutput(Path model, Map<String, NodeInfo> outputs) {
    String output = outputs.containsKey(LOGITS) ? LOGITS : null;
    if (output == null && outputs.size() == 1) {
      output = outputs.keySet().iterator().next();
    }
    if (output == null) {
      throw new IllegalArgumentException(
          model
              + " has outputs "
              + outputs.keySet()
              + " and none named "
              + LOGITS
              + "; export it as a text-classification model");
    }
    checkLogits(model, output, outputs.get(output));
    return output;
  }

  private static Path required(Path dir, String file, String what) {
    Path path = dir.resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "cross-encoder directory "
              + dir
              + " has no "
              + file
              + " ("
              + what
              + "); export the model with optimum-cli export onnx --task text-classification and"
              + " copy "
              + MODEL_FILE
              + " and "
              + TOKENIZER_FILE
              + " into it (see docs/rerank.md)");
    }
    return path;
  }

  /**
   * Refuses a max length beyond the model's position embeddings, which would otherwise fail (or
   * silently misbehave) on the first long passage instead of at start-up.
   */
  private static void checkPositions(Path config, int maxLength) {
    if (!Files.isRegularFile(config)) {
      return;
    }
    JsonNode root;
    try {
      root = JSON.readTree(config.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(config + " is not valid JSON: " + e.getMessage(), e);
    }
    int positions = root.path("max_position_embeddings").asInt(0);
    if (positions <= 0) {
      return;
    }
    // RoBERTa-family models (bge-reranker) number positions from the padding id + 1 = 2.
    int usable = root.path("model_type").asText("").contains("roberta") ? positions - 2 : positions;
    if (maxLength > usable) {
      throw new IllegalArgumentException(
          "the cross-encoder's max length "
              + maxLength
              + " exceeds the "
              + usable
              + " positions of the model ("
              + config
              + "); set "
              + Rerankers.ENV_CROSS_ENCODER_MAX_LENGTH
              + " to at most "
              + usable);
    }
  }

  /**
   * The id padded batches are filled with: the tokenizer's own padding id, else its [PAD] or
   * &lt;pad&gt; token. It matters for RoBERTa-family models, which derive positions from it.
   */
  private static long padId(Path tokenizerJson) {
    JsonNode root;
    try {
      root = JSON.readTree(tokenizerJson.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          tokenizerJson + " is not valid JSON: " + e.getMessage(), e);
    }
    JsonNode padding = root.path("padding");
    if (padding.path("pad_id").isIntegralNumber()) {
      return padding.path("pad_id").asLong();
    }
    for (JsonNode token : root.path("added_tokens")) {
      String content = token.path("content").asText("");
      if (content.equals("[PAD]") || content.equals("<pad>")) {
        return token.path("id").asLong();
      }
    }
    return 0;
  }

  private static HuggingFaceTokenizer tokenizer(Path tokenizerJson, int maxLength) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("addSpecialTokens", "true");
    // Longest-first takes tokens from the longer segment: the passage, not the short query.
    options.put("truncation", "LONGEST_FIRST");
    // Batches are padded here, after pairs of similar length are grouped.
    options.put("padding", "false");
    options.put("maxLength", Integer.toString(maxLength));
    // DJL caps maxLength at modelMaxLength (512 unless given); the operator's value is the cap.
    options.put("modelMaxLength", Integer.toString(maxLength));
    DjlOffline.enable();
    try {
      return HuggingFaceTokenizer.newInstance(tokenizerJson, options);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + tokenizerJson, e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          tokenizerJson
              + " is not a tokenizer the Hugging Face tokenizers library can load: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Refuses an output that is not one or two logits per pair. A symbolic second dimension passes
   * here and is checked on every call.
   */
  private static void checkLogits(Path model, String name, NodeInfo node) {
    if (node.getInfo() instanceof TensorInfo t && t.type == OnnxJavaType.FLOAT) {
      long[] shape = t.getShape();
      if (shape.length == 1
          || (shape.length == 2 && (shape[1] == 1 || shape[1] == 2 || shape[1] < 0))) {
        return;
      }
    }
    throw new IllegalArgumentException(
        model
            + " output "
            + name
            + " is "
            + node.getInfo()
            + "; a cross-encoder's logits must be float with shape [batch], [batch, 1] (one"
            + " relevance logit) or [batch, 2] (not relevant, relevant)");
  }

  private static void close(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      // Already failing: the load error is the one to report.
    }
  }

  @Override
  public String name() {
    return NAME_PREFIX + settings.name();
  }

  /** The settings it was loaded with. */
  public Settings settings() {
    return settings;
  }

  /** Whether the model declares {@code token_type_ids}, so the reranker feeds it. */
  public boolean feedsTokenTypes() {
    return model.feedsTokenTypes();
  }

  /**
   * The top {@link Settings#topN()} candidates ordered by the model (ties keep the fusion order),
   * each carrying its model score, then the others unchanged in fusion order.
   */
  @Override
  public List<Candidate> rerank(String query, List<Candidate> candidates) {
    int n = candidates.size();
    if (n == 0) {
      return List.of();
    }
    int scored = Math.min(settings.topN(), n);
    List<String> passages = new ArrayList<>(scored);
    for (int i = 0; i < scored; i++) {
      passages.add(passage(candidates.get(i).chunk()));
    }
    List<Candidate> out =
        new ArrayList<>(Logits.order(candidates.subList(0, scored), logits(query, passages)));
    out.addAll(candidates.subList(scored, n));
    return out;
  }

  /**
   * The relevance logit of each (query, passage) pair: the single logit, or positive minus negative
   * of two classes (whose logistic is the softmax of the positive class).
   */
  public double[] logits(String query, List<String> passages) {
    int n = passages.size();
    Encoding[] encodings = new Encoding[n];
    Integer[] byLength = new Integer[n];
    for (int i = 0; i < n; i++) {
      encodings[i] = tokenizer.encode(query, passages.get(i));
      byLength[i] = i;
    }
    // Pairs of similar length share a batch, so little of a batch is padding.
    Arrays.sort(byLength, Comparator.comparingInt(i -> encodings[i].getIds().length));
    double[] logits = new double[n];
    for (int start = 0; start < n; start += settings.batchSize()) {
      int end = Math.min(n, start + settings.batchSize());
      Integer[] batch = Arrays.copyOfRange(byLength, start, end);
      double[] scores = run(batch, encodings);
      for (int b = 0; b < batch.length; b++) {
        logits[batch[b]] = scores[b];
      }
    }
    return logits;
  }

  /** One forward pass over the pairs {@code batch} (indices into {@code encodings}). */
  private double[] run(Integer[] batch, Encoding[] encodings) {
    int rows = batch.length;
    int length = 0;
    for (int i : batch) {
      length = Math.max(length, encodings[i].getIds().length);
    }
    long[] ids = new long[rows * length];
    long[] mask = new long[rows * length];
    long[] types = new long[rows * length];
    Arrays.fill(ids, padId);
    for (int r = 0; r < rows; r++) {
      Encoding e = encodings[batch[r]];
      long[] pairIds = e.getIds();
      System.arraycopy(pairIds, 0, ids, r * length, pairIds.length);
      System.arraycopy(e.getAttentionMask(), 0, mask, r * length, pairIds.length);
      System.arraycopy(e.getTypeIds(), 0, types, r * length, pairIds.length);
    }
    long[] shape = {rows, length};
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    try {
      OrtEnvironment environment = model.environment();
      inputs.put(INPUT_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
      if (model.feedsAttentionMask()) {
        inputs.put(
            ATTENTION_MASK, OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
      }
      if (model.feedsTokenTypes()) {
        inputs.put(
            TOKEN_TYPE_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape));
      }
      try (OrtSession.Result result = model.session().run(inputs, Set.of(model.output()))) {
        return scores(result.get(0), rows);
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "the cross-encoder " + name() + " failed on a batch of " + rows + " pairs", e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private double[] scores(OnnxValue value, int rows) {
    OnnxTensor tensor = (OnnxTensor) value;
    long[] shape = tensor.getInfo().getShape();
    int columns = shape.length == 1 ? 1 : (int) shape[1];
    if (shape[0] != rows || shape.length > 2 || (columns != 1 && columns != 2)) {
      throw new IllegalStateException(
          "the cross-encoder "
              + name()
              + " returned logits of shape "
              + Arrays.toString(shape)
              + " for "
              + rows
              + " pairs; expected ["
              + rows
              + "], ["
              + rows
              + ", 1] or ["
              + rows
              + ", 2]");
    }
    FloatBuffer logits = tensor.getFloatBuffer();
    double[] out = new double[rows];
    for (int r = 0; r < rows; r++) {
      out[r] =
          columns == 1
              ? logits.get(r)
              : (double) logits.get(r * 2 + 1) - (double) logits.get(r * 2);
    }
    return out;
  }

  /** The second segment: the chunk's title (unless the text already starts with it) and text. */
  static String passage(ChunkHit chunk) {
    String title = chunk.title() == null ? "" : chunk.title().strip();
    String text = chunk.text() == null ? "" : chunk.text();
    if (title.isEmpty() || text.startsWith(title)) {
      return text;
    }
    return title + "\n" + text;
  }

  /** Releases the ONNX session and the native tokenizer; the reranker is unusable after. */
  @Override
  public void close() {
    close(model.session());
    tokenizer.close();
  }

  @Override
  public String toString() {
    return "CrossEncoderReranker[" + name() + ", " + settings + "]";
  }
}
