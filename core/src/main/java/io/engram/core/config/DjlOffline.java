package io.engram.core.config;

/**
 * Puts DJL, whose Hugging Face tokenizer the in-process ONNX models use, in offline mode. Unless
 * offline, every process that creates a tokenizer "calls home" once a day: it probes the cloud
 * metadata address (169.254.169.254, one-second timeouts) and, on a cloud host, sends telemetry.
 * Engram downloads nothing through DJL: the tokenizer's native library is extracted from the
 * tokenizers jar into DJL's cache ({@code DJL_CACHE_DIR}, default {@code ~/.djl.ai}, else the
 * temporary directory), so offline mode loses nothing.
 */
public final class DjlOffline {

  /** DJL's system property; its environment variable is {@code DJL_OFFLINE}. */
  public static final String PROPERTY = "ai.djl.offline";

  private DjlOffline() {}

  /**
   * Sets offline mode before the first tokenizer is created, unless the operator chose either way
   * with {@code DJL_OFFLINE} or {@code -Dai.djl.offline}.
   */
  public static void enable() {
    if (System.getenv("DJL_OFFLINE") == null && System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, "true");
    }
  }
}
