package dev.sluice.gateway.stats;

import dev.sluice.gateway.metrics.RouteTotals;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RouteStatsTest {
  static final double[] BOUNDS = {1, 2, 5, 10};

  @Test
  void anIntervalIsTheDifferenceOfTwoReadings() {
    RouteTotals before = new RouteTotals("r", 10, 1, 2, 3, BOUNDS, new long[] {5, 8, 10, 10});
    RouteTotals now = new RouteTotals("r", 30, 4, 2, 5, BOUNDS, new long[] {5, 8, 20, 30});
    RouteStats stats = RouteStats.between(before, now);
    assertEquals(20, stats.requests());
    assertEquals(3, stats.rateLimited());
    assertEquals(0, stats.serverErrors());
    assertEquals(2, stats.retries());
    // Of the interval's 20 requests, 10 took 2..5 ms and 10 took 5..10 ms.
    assertEquals(5.0, stats.p50Ms());
    assertEquals(9.9, stats.p99Ms());
  }

  @Test
  void anIntervalWithoutRequestsHasNoPercentiles() {
    RouteTotals same = new RouteTotals("r", 7, 0, 0, 0, BOUNDS, new long[] {7, 7, 7, 7});
    RouteStats stats = RouteStats.between(same, same);
    assertEquals(0, stats.requests());
    assertNull(stats.p50Ms());
    assertNull(stats.p99Ms());
  }

  @Test
  void requestsSlowerThanEveryBucketReportTheLastBound() {
    assertEquals(10.0, RouteStats.percentile(0.99, 4, BOUNDS, new long[] {1, 1, 1, 1}));
  }

  @Test
  void cacheHitsAndLookupsAreTheIntervalsToo() {
    RouteTotals before = new RouteTotals("r", 10, 0, 0, 0, BOUNDS, new long[] {10, 10, 10, 10}, 4, 10);
    RouteTotals now = new RouteTotals("r", 30, 0, 0, 0, BOUNDS, new long[] {30, 30, 30, 30}, 19, 30);
    RouteStats stats = RouteStats.between(before, now);
    assertEquals(15, stats.cacheHits());
    assertEquals(20, stats.cacheLookups());
  }

  @Test
  void aRoundTripThroughJsonKeepsEveryField() {
    NodeStats stats = new NodeStats("n1", 3, 1000, java.util.List.of(new RouteStats("r", 1, 2, 3, 4, 1.5, null, 5, 6)));
    assertEquals(stats, NodeStats.fromJson(stats.toJson()));
  }
}
