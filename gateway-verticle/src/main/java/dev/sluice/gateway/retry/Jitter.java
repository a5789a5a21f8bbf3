package dev.sluice.gateway.retry;

/** How a retry delay {@code d} is randomised. */
public enum Jitter {
  /** exactly d */
  NONE,
  /** uniform in [0, d] */
  FULL,
  /** d/2 + uniform in [0, d/2] */
  EQUAL
}
