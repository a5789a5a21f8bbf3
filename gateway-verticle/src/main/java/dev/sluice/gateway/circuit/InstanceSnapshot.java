package dev.sluice.gateway.circuit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;

/**
 * One gateway instance's view, the answer on {@link CircuitBus#SNAPSHOT_ADDRESS}: its node and
 * instance ids, its routes' circuits, and its limiter's state ({@code onFailure},
 * {@code usingFallback}, {@code fallbackCount}). {@link #toJson()} / {@link #fromJson} are its one codec.
 */
public record InstanceSnapshot(String node, String instance, List<RouteSnapshot> routes, JsonObject limiter) {
  public InstanceSnapshot {
    routes = List.copyOf(routes);
    limiter = limiter == null ? new JsonObject() : limiter;
  }

  public Optional<RouteSnapshot> route(String name) {
    return routes.stream().filter(r -> r.route().equals(name)).findFirst();
  }

  public boolean limiterOnFallback() {
    return limiter.getBoolean("usingFallback", false);
  }

  public JsonObject toJson() {
    return new JsonObject().put("node", node).put("instance", instance)
      .put("routes", new JsonArray(routes.stream().map(RouteSnapshot::toJson).toList()))
      .put("limiter", limiter);
  }

  public static InstanceSnapshot fromJson(JsonObject json) {
    JsonArray routes = json.getJsonArray("routes", new JsonArray());
    return new InstanceSnapshot(json.getString("node"), json.getString("instance"),
      routes.stream().map(r -> RouteSnapshot.fromJson((JsonObject) r)).toList(), json.getJsonObject("limiter"));
  }
}
