package dev.sluice.gateway.circuit;

import dev.sluice.gateway.config.RoutePolicy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The node's circuits, one per route, handed to every gateway instance of the node: the first
 * instance to build a route's circuit creates it, the others share it. A route whose policy
 * changed in a reload gets a fresh one; instances still on the old table keep the old one until
 * their requests finish.
 */
public final class NodeCircuits {
  private final ConcurrentMap<String, NodeCircuit> byRoute = new ConcurrentHashMap<>();

  NodeCircuit forRoute(String node, String route, RoutePolicy policy, LongSupplier clock, IntSupplier liveNodes) {
    return byRoute.compute(route, (name, existing) -> existing != null && existing.policy().equals(policy)
      ? existing
      : new NodeCircuit(node, route, policy, clock, liveNodes));
  }
}
