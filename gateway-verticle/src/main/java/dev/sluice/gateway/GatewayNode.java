package dev.sluice.gateway;

import dev.sluice.gateway.cache.NodeCaches;
import dev.sluice.gateway.circuit.NodeCircuits;
import dev.sluice.gateway.limit.LocalSlidingWindowLimiter;
import dev.sluice.gateway.load.NodeLoad;
import dev.sluice.gateway.trace.NodeTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.function.IntSupplier;

/**
 * What the gateway instances of one node share: the node's id (the cluster manager's, when
 * clustered), the in-memory windows of the {@code local} limiter fallback (thread-safe, so the
 * limit holds per node rather than per event loop), the node's meter registry (the one the
 * admin verticle scrapes), how long a stopping node lets requests in flight finish, and how many
 * gateway nodes are live (the fallback's share of each limit is the limit divided by it), and the
 * node's circuits (one per route, so that the instances of a node agree at once), the node's
 * local response-cache tiers, and the load it carries ({@code http.maxConnections} and
 * {@code maxInFlight} hold per node, not per instance), and the node's tracer provider (one export
 * queue and thread per node, whatever the number of instances).
 *
 * @param shutdownGrace the longest a stopping gateway instance waits for its requests in flight
 *   (upstream calls and retries included) before it closes their connections; zero closes at once
 * @param liveNodes live gateway nodes in the cluster, this one included (1 when standalone); read on
 *   the request path, so it must answer from memory, never wait on the cluster
 * @param tracing the node's spans ({@link NodeTracing#off()} unless the node's owner started it from
 *   {@code tracing}; the owner shuts it down after Vert.x closed)
 */
public record GatewayNode(String id, LocalSlidingWindowLimiter fallbackWindows, MeterRegistry meters,
                          Duration shutdownGrace, IntSupplier liveNodes, NodeCircuits circuits, NodeCaches caches,
                          NodeLoad load, NodeTracing tracing) {
  /** A node that is not part of a cluster. */
  public static final IntSupplier ALONE = () -> 1;
  /** Fits the default stop timeouts of Kubernetes (30 s); Docker's is 10 s, see docs/operations.md. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  public GatewayNode {
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    Objects.requireNonNull(liveNodes, "liveNodes");
    Objects.requireNonNull(circuits, "circuits");
    Objects.requireNonNull(caches, "caches");
    Objects.requireNonNull(load, "load");
    Objects.requireNonNull(tracing, "tracing");
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must not be negative, got " + shutdownGrace);
    }
  }

  /** A node whose circuits, cache tiers and load start empty. */
  public GatewayNode(String id, LocalSlidingWindowLimiter fallbackWindows, MeterRegistry meters,
                     Duration shutdownGrace, IntSupplier liveNodes) {
    this(id, fallbackWindows, meters, shutdownGrace, liveNodes, new NodeCircuits(), new NodeCaches(), new NodeLoad(),
      NodeTracing.off());
  }

  public GatewayNode(String id, LocalSlidingWindowLimiter fallbackWindows, MeterRegistry meters) {
    this(id, fallbackWindows, meters, DEFAULT_SHUTDOWN_GRACE, ALONE);
  }

  /** A node that counts itself alone; a clustered node gives {@link #withLiveNodes} the cluster's count. */
  public GatewayNode(String id, LocalSlidingWindowLimiter fallbackWindows, MeterRegistry meters, Duration shutdownGrace) {
    this(id, fallbackWindows, meters, shutdownGrace, ALONE);
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
    return new GatewayNode(id, fallbackWindows, meters, grace, liveNodes, circuits, caches, load, tracing);
  }

  /** @param count live gateway nodes, fed by the cluster manager's membership; must not block */
  public GatewayNode withLiveNodes(IntSupplier count) {
    return new GatewayNode(id, fallbackWindows, meters, shutdownGrace, count, circuits, caches, load, tracing);
  }

  /** @param tracing started by the node's owner ({@link NodeTracing#start}), who shuts it down */
  public GatewayNode withTracing(NodeTracing tracing) {
    return new GatewayNode(id, fallbackWindows, meters, shutdownGrace, liveNodes, circuits, caches, load, tracing);
  }
}
