package io.engram.core.llm;

/** Sends one prompt to the configured chat model. Thread-safe. */
public interface LlmGateway {

  /**
   * Returns the model's reply to {@code system} + {@code user}.
   *
   * @throws LlmUnavailableException when no reply could be had within the configured patience
   */
  String complete(String system, String user) throws LlmUnavailableException;

  /** The model answering, e.g. {@code openai:gemma-3-270m}, reported with each answer. */
  String modelName();
}
