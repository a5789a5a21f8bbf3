package dev.sluice.gateway.circuit;

import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.json.JsonObject;

/**
 * A state change of one route's circuit, published on {@link #ADDRESS} by the instance that made
 * it and kept as the route's last word in the cluster map {@link #MAP}.
 *
 * @param openedAt epoch ms at which the circuit opened (the probe is due {@code resetTimeoutMs} later)
 */
public record CircuitEvent(String route, CircuitBreakerState state, String node, String instance, long failures,
                           long openedAt, String reason) {
  public static final String ADDRESS = "sluice.circuit.events";
  public static final String MAP = "sluice.circuits";

  public JsonObject toJson() {
    return new JsonObject()
      .put("route", route)
      .put("state", state.name())
      .put("node", node)
      .put("instance", instance)
      .put("failures", failures)
      .put("openedAt", openedAt)
      .put("reason", reason);
  }

  public static CircuitEvent fromJson(JsonObject json) {
    return new CircuitEvent(json.getString("route"), CircuitBreakerState.valueOf(json.getString("state")),
      json.getString("node"), json.getString("instance"), json.getLong("failures", 0L),
      json.getLong("openedAt", 0L), json.getString("reason", ""));
  }

  public boolean isFrom(String node, String instance) {
    return this.node.equals(node) && this.instance.equals(instance);
  }
}
