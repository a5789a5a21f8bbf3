package dev.sluice.gateway.config;

import java.util.Set;

/** When a route's breaker opens, and for how long. */
public record CircuitPolicy(int failureThreshold, long resetTimeoutMs, Set<Integer> failureStatuses, Quorum quorum) {
  public static final int DEFAULT_FAILURE_THRESHOLD = 5;
  public static final long DEFAULT_RESET_TIMEOUT_MS = 30_000;
  public static final Set<Integer> DEFAULT_FAILURE_STATUSES = Set.of(500, 502, 503, 504);
  public static final CircuitPolicy DEFAULT =
      new CircuitPolicy(DEFAULT_FAILURE_THRESHOLD, DEFAULT_RESET_TIMEOUT_MS, DEFAULT_FAILURE_STATUSES, Quorum.MAJORITY);

  public CircuitPolicy {
    failureStatuses = Set.copyOf(failureStatuses);
  }
}
