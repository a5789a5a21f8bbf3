package dev.sluice.gateway.circuit;

import io.vertx.core.json.JsonObject;

/** Failures one instance saw on one route since its last report, published on {@link #ADDRESS}. */
public record FailureReport(String route, String node, String instance, long failures) {
  public static final String ADDRESS = "sluice.circuit.failures";

  public JsonObject toJson() {
    return new JsonObject().put("route", route).put("node", node).put("instance", instance).put("failures", failures);
  }

  public static FailureReport fromJson(JsonObject json) {
    return new FailureReport(json.getString("route"), json.getString("node"), json.getString("instance"),
      json.getLong("failures", 0L));
  }

  public boolean isFrom(String node, String instance) {
    return this.node.equals(node) && this.instance.equals(instance);
  }
}
