package dev.sluice.gateway.stats;

import dev.sluice.gateway.metrics.RouteTotals;
import io.vertx.core.json.JsonObject;

/**
 * One route on one node over one interval: what happened between two {@link RouteTotals}.
 * Latency percentiles come from the interval's histogram (the difference of two cumulative
 * readings), interpolated inside the bucket that holds them: as exact as the buckets of
 * {@code sluice_request_duration_seconds}, and free on the request path. Null when the interval
 * had no requests (a percentile of nothing is not 0 ms).
 *
 * @param requests     answered in the interval, whatever the status
 * @param rateLimited  answered 429 by the limiter
 * @param serverErrors answered with a 5xx (the gateway's own 502/503/504 included)
 * @param retries      attempts beyond the first
 * @param cacheHits    answered from a fresh cache entry
 * @param cacheLookups requests the route's cache saw (0: the route has no cache)
 */
public record RouteStats(String route, long requests, long rateLimited, long serverErrors, long retries,
                         Double p50Ms, Double p99Ms, long cacheHits, long cacheLookups) {

  /** A route without a cache. */
  public RouteStats(String route, long requests, long rateLimited, long serverErrors, long retries,
                    Double p50Ms, Double p99Ms) {
    this(route, requests, rateLimited, serverErrors, retries, p50Ms, p99Ms, 0, 0);
  }

  public static RouteStats between(RouteTotals before, RouteTotals now) {
    long[] interval = new long[now.latencyBuckets().length];
    for (int i = 0; i < interval.length; i++) {
      long earlier = before == null || i >= before.latencyBuckets().length ? 0 : before.latencyBuckets()[i];
      interval[i] = Math.max(0, now.latencyBuckets()[i] - earlier);
    }
    long requests = delta(before == null ? 0 : before.requests(), now.requests());
    return new RouteStats(now.route(), requests,
      delta(before == null ? 0 : before.rateLimited(), now.rateLimited()),
      delta(before == null ? 0 : before.serverErrors(), now.serverErrors()),
      delta(before == null ? 0 : before.retries(), now.retries()),
      percentile(0.50, requests, now.bucketBoundsMs(), interval),
      percentile(0.99, requests, now.bucketBoundsMs(), interval),
      delta(before == null ? 0 : before.cacheHits(), now.cacheHits()),
      delta(before == null ? 0 : before.cacheLookups(), now.cacheLookups()));
  }

  /** Counters only grow; a registry that was replaced (never, today) must not show negative rates. */
  private static long delta(long before, long now) {
    return Math.max(0, now - before);
  }

  /**
   * @param cumulative requests at most {@code bounds[i]} ms in the interval
   * @return the latency under which {@code q} of the interval's requests fell; the last bound when
   *   they fell above every bucket (the histogram cannot say how far above)
   */
  static Double percentile(double q, long requests, double[] bounds, long[] cumulative) {
    if (requests <= 0 || bounds.length == 0) {
      return null;
    }
    double rank = q * requests;
    double lowerBound = 0;
    long below = 0;
    for (int i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= rank) {
        long inBucket = cumulative[i] - below;
        double fraction = inBucket == 0 ? 1 : (rank - below) / inBucket;
        return round(lowerBound + (bounds[i] - lowerBound) * fraction);
      }
      lowerBound = bounds[i];
      below = cumulative[i];
    }
    return round(bounds[bounds.length - 1]);
  }

  private static double round(double ms) {
    return Math.round(ms * 10) / 10.0;
  }

  public JsonObject toJson() {
    return new JsonObject().put("route", route).put("requests", requests).put("rateLimited", rateLimited)
      .put("serverErrors", serverErrors).put("retries", retries).put("p50Ms", p50Ms).put("p99Ms", p99Ms)
      .put("cacheHits", cacheHits).put("cacheLookups", cacheLookups);
  }

  public static RouteStats fromJson(JsonObject json) {
    return new RouteStats(json.getString("route"), json.getLong("requests", 0L), json.getLong("rateLimited", 0L),
      json.getLong("serverErrors", 0L), json.getLong("retries", 0L), json.getDouble("p50Ms"), json.getDouble("p99Ms"),
      json.getLong("cacheHits", 0L), json.getLong("cacheLookups", 0L));
  }
}
