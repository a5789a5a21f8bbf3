package dev.sluice.gateway.circuit;

import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.json.JsonObject;

/** One route's circuit in an {@link InstanceSnapshot}. */
public record RouteSnapshot(String route, CircuitBreakerState state, CircuitScope scope, long version, long failures,
                            int callers, long probeInMs, String reason) {
  static RouteSnapshot of(RouteCircuit circuit) {
    CircuitState view = circuit.view();
    return new RouteSnapshot(circuit.route(), circuit.state(), view.scope(), view.version(), circuit.failureCount(),
      circuit.callers(), circuit.msUntilProbe(), view.reason());
  }

  public JsonObject toJson() {
    return new JsonObject().put("route", route).put("state", state.name()).put("scope", scope.name())
      .put("version", version).put("failures", failures).put("callers", callers).put("probeInMs", probeInMs).put("reason", reason);
  }

  public static RouteSnapshot fromJson(JsonObject json) {
    return new RouteSnapshot(json.getString("route"), CircuitBreakerState.valueOf(json.getString("state")),
      CircuitScope.valueOf(json.getString("scope", CircuitScope.CLUSTER.name())), json.getLong("version", 0L),
      json.getLong("failures", 0L), json.getInteger("callers", 0), json.getLong("probeInMs", 0L),
      json.getString("reason", ""));
  }
}
