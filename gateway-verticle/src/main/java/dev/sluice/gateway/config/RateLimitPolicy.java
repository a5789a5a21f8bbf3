package dev.sluice.gateway.config;

/** At most {@code limit} requests per client in any {@code windowMs} sliding window. */
public record RateLimitPolicy(int limit, long windowMs) {
  public static final int DEFAULT_LIMIT = 100;
  public static final long DEFAULT_WINDOW_MS = 60_000;
  public static final RateLimitPolicy DEFAULT = new RateLimitPolicy(DEFAULT_LIMIT, DEFAULT_WINDOW_MS);
}
