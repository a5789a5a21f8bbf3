package dev.sluice.gateway.metrics;

/**
 * One route's counters on one node since start, as the node's registry holds them (every gateway
 * instance of a node counts into the same meters). The difference of two readings is what
 * happened in between; {@link #latencyBuckets} are cumulative counts at {@link #bucketBoundsMs}
 * (Prometheus's {@code le}), so the difference of two readings is that interval's histogram.
 *
 * @param latencyBuckets  requests that took at most {@code bucketBoundsMs[i]}
 * @param cacheHits       answered from a fresh cache entry ({@code X-Cache: HIT})
 * @param cacheLookups    requests the route's cache saw, whatever it did (0 for a route without cache)
 */
public record RouteTotals(String route, long requests, long rateLimited, long serverErrors, long retries,
                          double[] bucketBoundsMs, long[] latencyBuckets, long cacheHits, long cacheLookups) {
  /** A route without a cache. */
  public RouteTotals(String route, long requests, long rateLimited, long serverErrors, long retries,
                     double[] bucketBoundsMs, long[] latencyBuckets) {
    this(route, requests, rateLimited, serverErrors, retries, bucketBoundsMs, latencyBuckets, 0, 0);
  }
}
