package dev.sluice.gateway;

import dev.sluice.gateway.limit.LocalSlidingWindowLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.UUID;

/**
 * What the gateway instances of one node share: the node's id (the cluster manager's, when
 * clustered), the in-memory windows of the {@code local} limiter fallback (thread-safe, so the
 * limit holds per node rather than per event loop), and the node's meter registry (the one the
 * admin verticle scrapes).
 */
public record GatewayNode(String id, LocalSlidingWindowLimiter fallbackWindows, MeterRegistry meters) {
  /** A node of its own, for a gateway that is not part of a cluster, counting into {@code meters}. */
  public static GatewayNode standalone(MeterRegistry meters) {
    return new GatewayNode(UUID.randomUUID().toString(), new LocalSlidingWindowLimiter(), meters);
  }

  /** A node of its own whose metrics nobody reads. */
  public static GatewayNode standalone() {
    return standalone(new SimpleMeterRegistry());
  }
}
