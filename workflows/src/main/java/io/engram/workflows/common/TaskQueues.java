package io.engram.workflows.common;

/** Task queue names (DESIGN §4): one per kind of work so each can be scaled and tuned alone. */
public final class TaskQueues {
  public static final String INGEST = "ingest";
  public static final String LLM = "llm";
  public static final String MAINTENANCE = "maintenance";
  public static final String TRAINING = "training";

  private TaskQueues() {}
}
