package dev.sluice.gateway.retry;

import io.vertx.circuitbreaker.RetryPolicy;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * delay(n) = min(maxDelay, initialDelay × multiplier^(n−1)), then jitter; an upstream
 * {@code Retry-After} (see {@link RetryAfterHint}) replaces the computed delay, capped at maxDelay.
 * The delay function is pure given the random source, which tests inject.
 */
public final class ExponentialRetryPolicy implements RetryPolicy {
  private final long initialDelayMs;
  private final double multiplier;
  private final long maxDelayMs;
  private final Jitter jitter;
  private final DoubleSupplier random;

  private ExponentialRetryPolicy(long initialDelayMs, double multiplier, long maxDelayMs, Jitter jitter,
                                 DoubleSupplier random) {
    if (initialDelayMs <= 0) {
      throw new IllegalArgumentException("initialDelayMs must be strictly positive");
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier must be >= 1");
    }
    if (maxDelayMs < initialDelayMs) {
      throw new IllegalArgumentException("maxDelayMs must be >= initialDelayMs");
    }
    this.initialDelayMs = initialDelayMs;
    this.multiplier = multiplier;
    this.maxDelayMs = maxDelayMs;
    this.jitter = Objects.requireNonNull(jitter, "jitter");
    this.random = Objects.requireNonNull(random, "random");
  }

  public static ExponentialRetryPolicy of(RetryOptions retry) {
    return of(retry, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** @param random uniform in [0, 1) */
  public static ExponentialRetryPolicy of(RetryOptions retry, DoubleSupplier random) {
    return new ExponentialRetryPolicy(retry.initialDelayMs(), retry.multiplier(), retry.maxDelayMs(), retry.jitter(),
      random);
  }

  /** @param retryCount 1 for the first retry, as vertx-circuit-breaker counts */
  @Override
  public long delay(Throwable failure, int retryCount) {
    if (failure instanceof RetryAfterHint hint && hint.retryAfterMs() >= 0) {
      return Math.min(maxDelayMs, hint.retryAfterMs());
    }
    return jittered(envelope(retryCount));
  }

  /** The delay before jitter: the upper bound every jitter mode stays under. */
  public long envelope(int retryCount) {
    double exponential = initialDelayMs * Math.pow(multiplier, Math.max(0, retryCount - 1));
    return exponential >= maxDelayMs ? maxDelayMs : (long) exponential;
  }

  private long jittered(long d) {
    return switch (jitter) {
      case NONE -> d;
      case FULL -> uniform(d);
      case EQUAL -> d / 2 + uniform(d - d / 2);
    };
  }

  /** uniform in [0, bound], both ends included */
  private long uniform(long bound) {
    return Math.min(bound, (long) (random.getAsDouble() * (bound + 1)));
  }
}
