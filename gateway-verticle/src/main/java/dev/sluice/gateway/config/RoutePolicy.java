package dev.sluice.gateway.config;

import dev.sluice.gateway.retry.RetryOptions;
import dev.sluice.gateway.upstream.Balance;
import dev.sluice.gateway.upstream.HealthOptions;
import dev.sluice.gateway.upstream.OutlierOptions;

/** The per-route knobs: {@code defaults} holds one, and each route may override any key of it. */
public record RoutePolicy(long timeoutMs, RateLimitPolicy rateLimit, CircuitPolicy circuit, RetryOptions retry,
                          Balance balance, OutlierOptions outlier, HealthOptions health) {
  public static final long DEFAULT_TIMEOUT_MS = 3000;
  /** What a config without {@code defaults} gets. */
  public static final RoutePolicy DEFAULT = new RoutePolicy(DEFAULT_TIMEOUT_MS, RateLimitPolicy.DEFAULT,
      CircuitPolicy.DEFAULT, RetryOptions.DEFAULT);

  /** A policy with the default balancing, outlier ejection and no active health checks. */
  public RoutePolicy(long timeoutMs, RateLimitPolicy rateLimit, CircuitPolicy circuit, RetryOptions retry) {
    this(timeoutMs, rateLimit, circuit, retry, Balance.DEFAULT, OutlierOptions.DEFAULT, HealthOptions.OFF);
  }
}
