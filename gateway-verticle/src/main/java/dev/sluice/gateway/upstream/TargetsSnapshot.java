package dev.sluice.gateway.upstream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One gateway instance's view of its routes' targets: the answer on {@link #ADDRESS}, which every
 * instance registers (the admin verticle publishes {@code {"replyTo": …}} and gathers).
 */
public record TargetsSnapshot(String node, String instance, List<RouteView> routes) {
  public static final String ADDRESS = "sluice.targets.snapshot";

  public TargetsSnapshot {
    routes = List.copyOf(routes);
  }

  /** Worst last: a target's state across instances is the worst any of them reports. */
  public enum Status { UP, EJECTED, UNHEALTHY }

  public record RouteView(String route, String balance, boolean healthChecks, List<TargetView> targets) {
    public RouteView {
      targets = List.copyOf(targets);
    }

    JsonObject toJson() {
      JsonArray list = new JsonArray();
      targets.forEach(t -> list.add(t.toJson()));
      return new JsonObject().put("route", route).put("balance", balance).put("healthChecks", healthChecks)
        .put("targets", list);
    }

    static RouteView fromJson(JsonObject json) {
      return new RouteView(json.getString("route"), json.getString("balance"), json.getBoolean("healthChecks", false),
        json.getJsonArray("targets", new JsonArray()).stream().map(t -> TargetView.fromJson((JsonObject) t)).toList());
    }
  }

  /**
   * @param ejectedBy   the node that took it out; empty while UP
   * @param remainingMs how long the ejection lasts from now; 0 when not ejected
   */
  public record TargetView(String target, int weight, Status state, int inFlight, long requests, long failures,
                           int consecutiveFailures, int ejections, String ejectedBy, String reason, long remainingMs) {
    public JsonObject toJson() {
      JsonObject json = new JsonObject()
        .put("target", target)
        .put("weight", weight)
        .put("state", state.name())
        .put("inFlight", inFlight)
        .put("requests", requests)
        .put("failures", failures)
        .put("consecutiveFailures", consecutiveFailures)
        .put("ejections", ejections);
      if (state != Status.UP) {
        json.put("ejectedBy", ejectedBy).put("reason", reason).put("remainingMs", remainingMs);
      }
      return json;
    }

    static TargetView fromJson(JsonObject json) {
      return new TargetView(json.getString("target"), json.getInteger("weight", 1),
        Status.valueOf(json.getString("state", "UP")), json.getInteger("inFlight", 0), json.getLong("requests", 0L),
        json.getLong("failures", 0L), json.getInteger("consecutiveFailures", 0), json.getInteger("ejections", 0),
        json.getString("ejectedBy", ""), json.getString("reason", ""), json.getLong("remainingMs", 0L));
    }
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    routes.forEach(r -> list.add(r.toJson()));
    return new JsonObject().put("node", node).put("instance", instance).put("routes", list);
  }

  public static TargetsSnapshot fromJson(JsonObject json) {
    return new TargetsSnapshot(json.getString("node"), json.getString("instance"),
      json.getJsonArray("routes", new JsonArray()).stream().map(r -> RouteView.fromJson((JsonObject) r)).toList());
  }
}
