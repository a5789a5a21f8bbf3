package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;

/**
 * The answer to one {@link RateLimiter#acquire}: what the {@code X-RateLimit-*} and
 * {@code Retry-After} headers say.
 *
 * @param allowed   whether the request may go on (and, unless not counted, was counted)
 * @param limit     the policy's limit
 * @param remaining requests still allowed in the window after this one
 * @param resetMs   ms until the oldest counted request leaves the window; 0 when none is counted
 */
public record RateLimitDecision(boolean allowed, int limit, int remaining, long resetMs) {

  public RateLimitDecision {
    if (limit < 0 || remaining < 0 || resetMs < 0) {
      throw new IllegalArgumentException(
          "negative rate limit decision: limit=" + limit + " remaining=" + remaining + " resetMs=" + resetMs);
    }
  }

  /**
   * Allowed, but nothing was counted (Redis unavailable and {@code redis.onFailure: open}):
   * the whole budget is reported as remaining, since no window was consulted.
   */
  public static RateLimitDecision allowedWithoutCounting(RateLimitPolicy policy) {
    return new RateLimitDecision(true, policy.limit(), policy.limit(), 0);
  }

  /** {@code X-RateLimit-Reset}: whole seconds, rounded up so a client waiting this long is inside budget. */
  public long resetSeconds() {
    return (resetMs + 999) / 1000;
  }

  /** {@code Retry-After} on a 429: rounded up and never 0, since 0 invites an immediate retry. */
  public long retryAfterSeconds() {
    return Math.max(1, resetSeconds());
  }
}
