package dev.sluice.gateway;

import dev.sluice.gateway.limit.LocalSlidingWindowLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * What the gateway instances of one node share: the node's id (the cluster manager's, when
 * clustered), the in-memory windows of the {@code local} limiter fallback (thread-safe, so the
 * limit holds per node rather than per event loop), the node's meter registry (the one the
 * admin verticle scrapes), and how long a stopping node lets requests in flight finish.
 *
 * @param shutdownGrace the longest a stopping gateway instance waits for its requests in flight
 *   (upstream calls and retries included) before it closes their connections; zero closes at once
 */
public record GatewayNode(String id, LocalSlidingWindowLimiter fallbackWindows, MeterRegistry meters,
                          Duration shutdownGrace) {
  /** Fits the default stop timeouts of Kubernetes (30 s); Docker's is 10 s, see docs/operations.md. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  public GatewayNode {
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must not be negative, got " + shutdownGrace);
    }
  }

  public GatewayNode(String id, LocalSlidingWindowLimiter fallbackWindows, MeterRegistry meters) {
    this(id, fallbackWindows, meters, DEFAULT_SHUTDOWN_GRACE);
  }

  /** A node of its own, for a gateway that is not part of a cluster, counting into {@code meters}. */
  public static GatewayNode standalone(MeterRegistry meters) {
    return new GatewayNode(UUID.randomUUID().toString(), new LocalSlidingWindowLimiter(), meters);
  }

  /** A node of its own whose metrics nobody reads. */
  public static GatewayNode standalone() {
    return standalone(new SimpleMeterRegistry());
  }

  public GatewayNode withShutdownGrace(Duration grace) {
    return new GatewayNode(id, fallbackWindows, meters, grace);
  }
}
