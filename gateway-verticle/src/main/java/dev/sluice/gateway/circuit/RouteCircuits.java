package dev.sluice.gateway.circuit;

import dev.sluice.gateway.config.RouteConfig;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** The circuits of one verticle instance, one per route of one route table. */
public final class RouteCircuits {
  private final Map<String, RouteCircuit> byRoute;
  private final Function<RouteConfig, RouteCircuit> factory;

  /**
   * @param shared    the node's circuits, which every instance of the node shares
   * @param liveNodes live gateway nodes, this one included: whom a cluster-wide decision waits to hear from
   */
  public RouteCircuits(Vertx vertx, String node, NodeCircuits shared, IntSupplier liveNodes, List<RouteConfig> routes,
                       LongSupplier clock, CircuitListener listener, ProbeLocks probeLocks) {
    this(new LinkedHashMap<>(), route -> new RouteCircuit(vertx,
      shared.forRoute(node, route.name(), route.policy(), clock, liveNodes), clock, listener, probeLocks));
    routes.forEach(route -> byRoute.put(route.name(), factory.apply(route)));
  }

  private RouteCircuits(Map<String, RouteCircuit> byRoute, Function<RouteConfig, RouteCircuit> factory) {
    this.byRoute = byRoute;
    this.factory = factory;
  }

  /**
   * The circuits for a new route table: a route whose policy did not change keeps its circuit
   * (and its state); new or changed routes get a fresh one. This object stays as it was, for the
   * requests still running on the old table.
   */
  public RouteCircuits updatedFor(List<RouteConfig> routes) {
    Map<String, RouteCircuit> next = new LinkedHashMap<>();
    for (RouteConfig route : routes) {
      RouteCircuit kept = byRoute.get(route.name());
      next.put(route.name(), kept != null && kept.policy().equals(route.policy()) ? kept : factory.apply(route));
    }
    return new RouteCircuits(next, factory);
  }

  /** Circuits of this table that {@code next} no longer uses. */
  public List<RouteCircuit> retiredBy(RouteCircuits next) {
    List<RouteCircuit> retired = new ArrayList<>();
    byRoute.forEach((name, circuit) -> {
      if (next.byRoute.get(name) != circuit) {
        retired.add(circuit);
      }
    });
    return retired;
  }

  /** @throws IllegalArgumentException for a route the table does not have: a bug, not a user error */
  public RouteCircuit get(String route) {
    RouteCircuit circuit = byRoute.get(route);
    if (circuit == null) {
      throw new IllegalArgumentException("no circuit for route " + route);
    }
    return circuit;
  }

  /** For messages from other instances, which may know routes this one does not (yet). */
  public Optional<RouteCircuit> find(String route) {
    return Optional.ofNullable(byRoute.get(route));
  }

  public Collection<RouteCircuit> all() {
    return byRoute.values();
  }

  public void close() {
    byRoute.values().forEach(RouteCircuit::close);
  }
}
