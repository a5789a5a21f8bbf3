package dev.sluice.gateway.upstream;

import dev.sluice.gateway.config.RouteConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/** The targets of every route of one verticle instance's route table. */
public final class UpstreamTargets {
  private final Map<String, RouteTargets> byRoute = new LinkedHashMap<>();
  private final LongSupplier clock;
  private final IntUnaryOperator random;
  private final TargetListener listener;
  private final String self;
  private final ToIntFunction<String> callersOf;

  /**
   * @param clock  monotonic ms
   * @param random {@code bound -> uniform int in [0, bound)}
   * @param self   this node's id, to say who ejected a target
   */
  public UpstreamTargets(List<RouteConfig> routes, LongSupplier clock, IntUnaryOperator random,
                         TargetListener listener, String self) {
    this(routes, clock, random, listener, self, route -> 1);
  }

  /**
   * @param callersOf how many nodes called a route in the circuit's window, as this node has
   *                  heard: another node's ejection applies here only when the nodes ejecting a
   *                  target are a quorum of them
   */
  public UpstreamTargets(List<RouteConfig> routes, LongSupplier clock, IntUnaryOperator random,
                         TargetListener listener, String self, ToIntFunction<String> callersOf) {
    this(routes, Map.of(), clock, random, listener, self, callersOf);
  }

  private UpstreamTargets(List<RouteConfig> routes, Map<String, RouteTargets> previous, LongSupplier clock,
                          IntUnaryOperator random, TargetListener listener, String self,
                          ToIntFunction<String> callersOf) {
    this.self = self;
    this.callersOf = callersOf;
    this.clock = clock;
    this.random = random;
    this.listener = listener;
    for (RouteConfig route : routes) {
      Map<String, TargetState> kept = new HashMap<>();
      RouteTargets old = previous.get(route.name());
      if (old != null) {
        old.targets().forEach(t -> kept.put(t.name(), t.state()));
      }
      byRoute.put(route.name(), new RouteTargets(route, kept, clock, random, listener, self,
        () -> callersOf.applyAsInt(route.name())));
    }
  }

  /**
   * The targets of a new route table. A target whose route and URL did not change keeps its
   * state (an ejection, its health, its counters), whatever else changed; this object stays as
   * it was for the requests still running on the old table.
   */
  public UpstreamTargets updatedFor(List<RouteConfig> routes) {
    return new UpstreamTargets(routes, byRoute, clock, random, listener, self, callersOf);
  }

  /** Targets of this table that {@code next} no longer has, as (route, target name). */
  public List<Map.Entry<String, String>> retiredBy(UpstreamTargets next) {
    List<Map.Entry<String, String>> retired = new ArrayList<>();
    byRoute.forEach((route, targets) -> targets.targets().forEach(target -> {
      if (next.find(route).flatMap(r -> r.find(target.name())).isEmpty()) {
        retired.add(Map.entry(route, target.name()));
      }
    }));
    return retired;
  }

  /** @throws IllegalArgumentException for a route the table does not have: a bug, not a user error */
  public RouteTargets get(String route) {
    RouteTargets targets = byRoute.get(route);
    if (targets == null) {
      throw new IllegalArgumentException("no targets for route " + route);
    }
    return targets;
  }

  /** For messages from other instances, which may know routes this one does not (yet). */
  public Optional<RouteTargets> find(String route) {
    return Optional.ofNullable(byRoute.get(route));
  }

  public Collection<RouteTargets> all() {
    return byRoute.values();
  }
}
