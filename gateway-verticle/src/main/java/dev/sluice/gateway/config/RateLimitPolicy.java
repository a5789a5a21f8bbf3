package dev.sluice.gateway.config;

/** At most {@code limit} requests per client in any {@code windowMs} sliding window. */
public record RateLimitPolicy(int limit, long windowMs) {
  public static final int DEFAULT_LIMIT = 100;
  public static final long DEFAULT_WINDOW_MS = 60_000;
  public static final RateLimitPolicy DEFAULT = new RateLimitPolicy(DEFAULT_LIMIT, DEFAULT_WINDOW_MS);

  // Written out: the lease book compares policies on every request, and the record's generated
  // equals (through ObjectMethods' method handles) took 0.7 % of a busy gateway's CPU.
  @Override
  public boolean equals(Object other) {
    return other instanceof RateLimitPolicy policy && policy.limit == limit && policy.windowMs == windowMs;
  }

  @Override
  public int hashCode() {
    return 31 * limit + Long.hashCode(windowMs);
  }
}
