package io.engram.api.problems;

import io.engram.contract.Problem;

/** A domain error with its HTTP status; {@link ApiProblemHandler} renders it as a problem body. */
public final class ApiProblem extends RuntimeException {
  private final Problem problem;

  ApiProblem(Problem problem) {
    super(problem.title() + ": " + problem.detail(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
