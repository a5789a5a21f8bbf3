package dev.sluice.gateway.retry;

/**
 * A route's retry policy, built once per route table: which requests and outcomes are retried
 * ({@link RetryRule}), how long to wait between attempts ({@link ExponentialRetryPolicy}), and
 * how much of a body is kept for a replay.
 */
public record RetryPlan(RetryOptions options, RetryRule rule, ExponentialRetryPolicy delays) {
  public static RetryPlan of(RetryOptions options) {
    return new RetryPlan(options, new RetryRule(options), ExponentialRetryPolicy.of(options));
  }
}
