package dev.sluice.gateway.upstream;

import io.vertx.core.json.JsonObject;

/**
 * A change of one target's standing, published on {@link #ADDRESS} by the instance that decided
 * it and kept in the cluster map {@link #MAP} while it lasts, for instances and nodes that start
 * later. Time travels as a duration ({@code forMs}), never as an instant: nodes' clocks disagree.
 *
 * @param forMs    EJECTED: how long the ejection lasts from now
 * @param sequence EJECTED/RETURNED: the ejection's place in its row (1, 2, … ; the length doubles
 *                 with each), so that a late RETURNED cannot end a newer ejection
 * @param node     the node that decided; with {@code instance}, lets an instance skip its own events
 */
public record TargetEvent(String route, String target, Kind kind, long forMs, int sequence, String node,
                          String instance, String reason) {
  public static final String ADDRESS = "sluice.targets.events";
  public static final String MAP = "sluice.targets";

  public enum Kind {
    /** Out for {@code forMs} (passive ejection). */
    EJECTED,
    /** Ejection {@code sequence} is over. */
    RETURNED,
    /** The health check failed {@code unhealthyAfter} times in a row: out until it passes. */
    UNHEALTHY,
    /** The health check passed {@code healthyAfter} times in a row: in, even if ejected. */
    HEALTHY
  }

  /** The map key: a target has one outlier entry and one health entry, each the last word of its kind. */
  public String mapKey() {
    return mapKey(route, target, kind == Kind.EJECTED || kind == Kind.RETURNED);
  }

  static String mapKey(String route, String target, boolean outlier) {
    return route + ' ' + target + (outlier ? " outlier" : " health");
  }

  public boolean isFrom(String node, String instance) {
    return this.node.equals(node) && this.instance.equals(instance);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("route", route)
      .put("target", target)
      .put("kind", kind.name())
      .put("forMs", forMs)
      .put("sequence", sequence)
      .put("node", node)
      .put("instance", instance)
      .put("reason", reason);
  }

  public static TargetEvent fromJson(JsonObject json) {
    return new TargetEvent(json.getString("route"), json.getString("target"), Kind.valueOf(json.getString("kind")),
      json.getLong("forMs", 0L), json.getInteger("sequence", 0), json.getString("node", ""),
      json.getString("instance", ""), json.getString("reason", ""));
  }
}
