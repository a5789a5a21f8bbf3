package dev.sluice.gateway;

import dev.sluice.gateway.limit.LocalSlidingWindowLimiter;

import java.util.UUID;

/**
 * What the gateway instances of one node share: the node's id (the cluster manager's, when
 * clustered) and the in-memory windows of the {@code local} limiter fallback, which is
 * thread-safe and enforces the limit per node rather than per event loop.
 */
public record GatewayNode(String id, LocalSlidingWindowLimiter fallbackWindows) {
  /** A node of its own, for a gateway that is not part of a cluster. */
  public static GatewayNode standalone() {
    return new GatewayNode(UUID.randomUUID().toString(), new LocalSlidingWindowLimiter());
  }
}
