package dev.sluice.gateway.metrics;

/**
 * One route's counters on one node since start, as the node's registry holds them (every gateway
 * instance of a node counts into the same meters). The difference of two readings is what
 * happened in between; {@link #latencyBuckets} are cumulative counts at {@link #bucketBoundsMs}
 * (Prometheus's {@code le}), so the difference of two readings is that interval's histogram.
 *
 * @param latencyBuckets  requests that took at most {@code bucketBoundsMs[i]}
 */
public record RouteTotals(String route, long requests, long rateLimited, long serverErrors, long retries,
                          double[] bucketBoundsMs, long[] latencyBuckets) {
}
