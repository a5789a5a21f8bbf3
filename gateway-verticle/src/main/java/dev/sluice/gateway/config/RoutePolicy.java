package dev.sluice.gateway.config;

import dev.sluice.gateway.retry.RetryOptions;

/** The per-route knobs: {@code defaults} holds one, and each route may override any key of it. */
public record RoutePolicy(long timeoutMs, RateLimitPolicy rateLimit, CircuitPolicy circuit, RetryOptions retry) {
  public static final long DEFAULT_TIMEOUT_MS = 3000;
  /** What a config without {@code defaults} gets. */
  public static final RoutePolicy DEFAULT = new RoutePolicy(DEFAULT_TIMEOUT_MS, RateLimitPolicy.DEFAULT,
      CircuitPolicy.DEFAULT, RetryOptions.DEFAULT);
}
