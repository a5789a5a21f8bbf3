package dev.sluice.gateway.circuit;

import dev.sluice.gateway.config.RouteConfig;
import io.vertx.core.Vertx;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/** The circuits of one verticle instance, one per route. */
public final class RouteCircuits {
  private final Map<String, RouteCircuit> byRoute = new LinkedHashMap<>();

  public RouteCircuits(Vertx vertx, List<RouteConfig> routes, LongSupplier clock, CircuitListener listener,
                       ProbeLocks probeLocks) {
    for (RouteConfig route : routes) {
      byRoute.put(route.name(), new RouteCircuit(vertx, route.name(), route.policy(), clock, listener, probeLocks));
    }
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
