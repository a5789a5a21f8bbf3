package dev.sluice.gateway.config;

import dev.sluice.gateway.retry.RetryOptions;
import dev.sluice.gateway.upstream.Balance;
import dev.sluice.gateway.upstream.HealthOptions;
import dev.sluice.gateway.upstream.OutlierOptions;

/**
 * The per-route knobs: {@code defaults} holds one, and each route may override any key of it.
 *
 * @param maxInFlight requests of the route this node lets wait for their upstream's answer at once
 *   (all its instances together); one more is answered 503 OVERLOADED at once; 0 = no limit
 */
public record RoutePolicy(long timeoutMs, RateLimitPolicy rateLimit, CircuitPolicy circuit, RetryOptions retry,
                          Balance balance, OutlierOptions outlier, HealthOptions health, int maxInFlight) {
  public static final long DEFAULT_TIMEOUT_MS = 3000;
  /** Off by default: a node sheds a route's load only when its operator said how much it takes. */
  public static final int NO_IN_FLIGHT_LIMIT = 0;
  /** What a config without {@code defaults} gets. */
  public static final RoutePolicy DEFAULT = new RoutePolicy(DEFAULT_TIMEOUT_MS, RateLimitPolicy.DEFAULT,
      CircuitPolicy.DEFAULT, RetryOptions.DEFAULT);

  /** A policy with the default balancing, outlier ejection and no active health checks. */
  public RoutePolicy(long timeoutMs, RateLimitPolicy rateLimit, CircuitPolicy circuit, RetryOptions retry) {
    this(timeoutMs, rateLimit, circuit, retry, Balance.DEFAULT, OutlierOptions.DEFAULT, HealthOptions.OFF);
  }

  /** A policy without an in-flight limit. */
  public RoutePolicy(long timeoutMs, RateLimitPolicy rateLimit, CircuitPolicy circuit, RetryOptions retry,
                     Balance balance, OutlierOptions outlier, HealthOptions health) {
    this(timeoutMs, rateLimit, circuit, retry, balance, outlier, health, NO_IN_FLIGHT_LIMIT);
  }
}
