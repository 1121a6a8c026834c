package io.engram.workflows.common;

import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * The retry policy Engram's activities share: quick first retries, backing off to one a minute, for
 * about a quarter of an hour (20 attempts), which rides out a restarting database or worker without
 * hiding a real outage for long. Failures that no retry can fix are named by type.
 */
public final class RetryPolicies {
  private RetryPolicies() {}

  /**
   * The shared policy.
   *
   * @param doNotRetry {@link FailureTypes} that fail the activity at once
   */
  public static RetryOptions standard(String... doNotRetry) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2.0)
        .setMaximumInterval(Duration.ofMinutes(1))
        .setMaximumAttempts(20)
        .setDoNotRetry(doNotRetry)
        .build();
  }
}
