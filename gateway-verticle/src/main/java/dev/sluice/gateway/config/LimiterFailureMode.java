package dev.sluice.gateway.config;

/** What the limiter does while Redis errors or is slower than {@code redis.timeoutMs}. */
public enum LimiterFailureMode {
  /** Let the request through. */
  OPEN,
  /** Answer 503 LIMITER_UNAVAILABLE. */
  CLOSED,
  /** Enforce the same limit per node with an in-process sliding window. */
  LOCAL
}
