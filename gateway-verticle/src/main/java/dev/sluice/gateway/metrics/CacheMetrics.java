package dev.sluice.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code sluice_cache_requests_total{route,result}} and {@code sluice_cache_bytes{tier}}. One per
 * gateway instance (its counters are used from its event loop only); the meters are the node's.
 */
public final class CacheMetrics {
  static final String REQUESTS = "sluice.cache.requests";
  static final String BYTES = "sluice.cache.bytes";
  /** Every result label, registered at 0 for each cached route so that a hit ratio has a denominator from the start. */
  public static final List<String> RESULTS = List.of("hit", "miss", "stale", "bypass", "revalidated");

  private final MeterRegistry registry;
  private final Map<String, Map<String, Counter>> byRoute = new HashMap<>();

  public CacheMetrics(MeterRegistry registry, LongSupplier localBytes) {
    this.registry = registry;
    // Registered by every instance of the node; the registry keeps the first, and all read the same tiers.
    Gauge.builder(BYTES, localBytes, s -> s.getAsLong())
      .description("Bytes held by the response cache, by tier (local: this node's tiers)")
      .tag("tier", "local").strongReference(true).register(registry);
  }

  public void declareRoute(String route) {
    RESULTS.forEach(result -> counter(route, result));
  }

  public void count(String route, String result) {
    counter(route, result).increment();
  }

  private Counter counter(String route, String result) {
    return byRoute.computeIfAbsent(route, r -> new HashMap<>()).computeIfAbsent(result, r ->
      Counter.builder(REQUESTS).description("Requests to cached routes, by route and what the cache did")
        .tag("route", route).tag("result", result).register(registry));
  }
}
