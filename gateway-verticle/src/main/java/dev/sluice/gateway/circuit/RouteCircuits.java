package dev.sluice.gateway.circuit;

import dev.sluice.gateway.config.RouteConfig;
import io.vertx.core.Vertx;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** The breakers of one verticle instance, one per route. */
public final class RouteCircuits {
  private final Map<String, RouteCircuit> byRoute = new LinkedHashMap<>();

  public RouteCircuits(Vertx vertx, List<RouteConfig> routes, LongSupplier clock) {
    for (RouteConfig route : routes) {
      byRoute.put(route.name(), new RouteCircuit(vertx, route.name(), route.policy(), clock));
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

  public Collection<RouteCircuit> all() {
    return byRoute.values();
  }

  public void close() {
    byRoute.values().forEach(RouteCircuit::close);
  }
}
