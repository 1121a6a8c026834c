package io.engram.workflows.memory;

/** The maintenance jobs {@link MaintenanceWorkflow} runs. */
public enum MaintenanceJob {
  /** Fold buffered citations into the facts, then decay salience by age since last citation. */
  SALIENCE(MemoryJobs.SALIENCE),
  /** Delete expired episodic facts (really deleted, counted) and turns no fact needs any more. */
  TTL_CLEANUP(MemoryJobs.TTL_CLEANUP),
  /** Distil and close idle sessions, releasing their working memory. */
  SESSION_CLEANUP(MemoryJobs.SESSION_CLEANUP);

  private final String jobType;

  MaintenanceJob(String jobType) {
    this.jobType = jobType;
  }

  /** The {@code EngramJobType} of its runs. */
  public String jobType() {
    return jobType;
  }
}
