package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;

/**
 * One client's window on one route as Redis holds it, read without changing it
 * ({@link WindowReader}).
 *
 * @param route   the route's name
 * @param client  the client identity (an address, or {@code key:<digest>})
 * @param key     its Redis key ({@link RateLimitKeys})
 * @param count   slots counted in the window (a member may stand for several)
 * @param members sorted-set members holding them
 * @param resetMs ms until the oldest entry leaves the window; 0 when empty
 */
public record LimitWindow(String route, String client, String key, RateLimitPolicy policy, long count, long members,
                          long resetMs) {

  public long remaining() {
    return Math.max(0, policy.limit() - count);
  }

  /** Whole seconds, rounded up, as {@code X-RateLimit-Reset}. */
  public long resetSeconds() {
    return (resetMs + 999) / 1000;
  }
}
