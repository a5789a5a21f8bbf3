package dev.sluice.gateway.circuit;

import io.vertx.core.json.JsonObject;

/**
 * Calls and failures one instance saw on one route since its last report, published on
 * {@link #ADDRESS}: the failures add up to the cluster-wide count, and the calls tell every
 * instance which nodes use the route (the quorum's denominator).
 */
/**
 * @param seq the report's number on its instance, from 1: every instance of a node hears each
 *            report, and the node's shared circuit must count it once
 */
public record FailureReport(String route, String node, String instance, long seq, long calls, long failures) {
  public static final String ADDRESS = "sluice.circuit.failures";

  public JsonObject toJson() {
    return new JsonObject().put("route", route).put("node", node).put("instance", instance).put("seq", seq).put("calls", calls)
      .put("failures", failures);
  }

  public static FailureReport fromJson(JsonObject json) {
    return new FailureReport(json.getString("route"), json.getString("node"), json.getString("instance"),
      json.getLong("seq", 0L), json.getLong("calls", 0L), json.getLong("failures", 0L));
  }

  public boolean isFrom(String node, String instance) {
    return this.node.equals(node) && this.instance.equals(instance);
  }
}
