package dev.sluice.gateway.circuit;

import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.json.JsonObject;

/**
 * A transition of one route's circuit, published on {@link #ADDRESS} by the instance that decided
 * it and, for scope CLUSTER, kept as the route's last word in the cluster map {@link #MAP}.
 * {@link #toJson()} / {@link #fromJson} are its one codec; only {@link CircuitBus} uses them.
 *
 * @param version   see {@link CircuitState#version()}: the higher wins
 * @param probeInMs for OPEN, how long after the decision a probe may go. A duration, never a time
 *                  of day: each receiver counts it on its own monotonic clock, so nodes whose wall
 *                  clocks disagree still agree on when to probe (give or take the message's transit)
 */
public record CircuitEvent(String route, CircuitBreakerState state, CircuitScope scope, long version, String node,
                           String instance, long failures, long probeInMs, String reason) {
  public static final String ADDRESS = "sluice.circuit.events";
  public static final String MAP = "sluice.circuits";

  public static CircuitEvent of(String route, CircuitState state, long probeInMs, String node, String instance,
                                long failures) {
    return new CircuitEvent(route, state.state(), state.scope(), state.version(), node, instance, failures, probeInMs,
      state.reason());
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("route", route)
      .put("state", state.name())
      .put("scope", scope.name())
      .put("version", version)
      .put("node", node)
      .put("instance", instance)
      .put("failures", failures)
      .put("probeInMs", probeInMs)
      .put("reason", reason);
  }

  public static CircuitEvent fromJson(JsonObject json) {
    return new CircuitEvent(json.getString("route"), CircuitBreakerState.valueOf(json.getString("state")),
      CircuitScope.valueOf(json.getString("scope", CircuitScope.CLUSTER.name())), json.getLong("version", 0L),
      json.getString("node"), json.getString("instance"), json.getLong("failures", 0L),
      json.getLong("probeInMs", 0L), json.getString("reason", ""));
  }

  /** Whether this event replaces {@code other} as a route's last word: see {@link CircuitState#isSupersededBy}. */
  public boolean supersedes(CircuitEvent other) {
    return new CircuitState(other.state, other.scope, other.version, 0, other.reason).isSupersededBy(version, state);
  }

  public boolean isFrom(String node, String instance) {
    return this.node.equals(node) && this.instance.equals(instance);
  }

  /** What an instance that was not there when it was decided makes of it (a newcomer, a map read). */
  CircuitEvent asLastWord() {
    // A HALF_OPEN in the map means a probe is or was in flight, maybe by an instance since gone:
    // for anyone else that is OPEN with the probe due, and the probe lock decides who goes.
    return state == CircuitBreakerState.HALF_OPEN
      ? new CircuitEvent(route, CircuitBreakerState.OPEN, scope, version, node, instance, failures, 0, reason)
      : this;
  }
}
