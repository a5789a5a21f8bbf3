package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;

/**
 * Decides whether one more request of {@code client} on {@code route} fits the policy's sliding
 * window, and counts it if it does. Rejected requests are not counted.
 */
public interface RateLimiter {

  /**
   * @param route  the route's configured name (part of the window's key)
   * @param client the client identity (IP or API key)
   * @return the decision; fails only when the limiter cannot decide (see {@link LimiterUnavailableException})
   */
  Future<RateLimitDecision> acquire(String route, String client, RateLimitPolicy policy);

  /** Releases connections and timers. */
  Future<Void> close();
}
