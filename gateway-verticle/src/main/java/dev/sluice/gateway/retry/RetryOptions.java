package dev.sluice.gateway.retry;

import java.util.Set;

/**
 * The retry schedule of a route.
 *
 * @param maxAttempts total attempts including the first (1 = no retry)
 * @param methods upper-case HTTP methods that may be sent more than once
 * @param bufferBytes the longest request body kept in memory for a replay; a longer body streams
 *                    upstream once and its request is not retried after its first byte went out
 */
public record RetryOptions(int maxAttempts, long initialDelayMs, double multiplier, long maxDelayMs,
                           Jitter jitter, RetryOn retryOn, Set<String> methods, long bufferBytes) {
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final long DEFAULT_INITIAL_DELAY_MS = 100;
  public static final double DEFAULT_MULTIPLIER = 2.0;
  public static final long DEFAULT_MAX_DELAY_MS = 2000;
  public static final Jitter DEFAULT_JITTER = Jitter.FULL;
  public static final Set<String> DEFAULT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
  public static final long DEFAULT_BUFFER_BYTES = 1024 * 1024;
  public static final RetryOptions DEFAULT = new RetryOptions(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_DELAY_MS,
      DEFAULT_MULTIPLIER, DEFAULT_MAX_DELAY_MS, DEFAULT_JITTER, RetryOn.DEFAULT, DEFAULT_METHODS, DEFAULT_BUFFER_BYTES);

  public RetryOptions {
    methods = Set.copyOf(methods);
  }

  /** With the default replay buffer. */
  public RetryOptions(int maxAttempts, long initialDelayMs, double multiplier, long maxDelayMs, Jitter jitter,
                      RetryOn retryOn, Set<String> methods) {
    this(maxAttempts, initialDelayMs, multiplier, maxDelayMs, jitter, retryOn, methods, DEFAULT_BUFFER_BYTES);
  }
}
