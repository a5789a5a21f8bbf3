package dev.sluice.admin;

import dev.sluice.gateway.upstream.TargetSync;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /__upstreams}: per route, each target with its state (UP, EJECTED, UNHEALTHY), why
 * and by which node it is out, for how much longer, its requests in flight and its failures,
 * gathered from every gateway instance in the cluster. Instances share ejections, so their views
 * agree but for an event in flight; a target is shown in the worst state any instance reports,
 * and counts are summed over instances.
 */
final class UpstreamsEndpoint {
  private static final List<String> WORST_LAST = List.of("UP", "EJECTED", "UNHEALTHY");

  private final SnapshotGatherer gatherer;
  private final Supplier<Set<String>> routeNames;

  UpstreamsEndpoint(SnapshotGatherer gatherer, Supplier<Set<String>> routeNames) {
    this.gatherer = gatherer;
    this.routeNames = routeNames;
  }

  void get(RoutingContext ctx) {
    gatherer.gather(TargetSync.SNAPSHOT_ADDRESS)
      .onSuccess(views -> AdminReplies.json(ctx, 200, merge(views)))
      .onFailure(err -> AdminReplies.error(ctx, 503, "CLUSTER_UNAVAILABLE", String.valueOf(err.getMessage())));
  }

  private JsonObject merge(List<JsonObject> views) {
    Map<String, JsonObject> routes = new LinkedHashMap<>();
    routeNames.get().forEach(name -> routes.put(name, null));
    Map<String, JsonObject> targets = new LinkedHashMap<>();
    for (JsonObject view : views) {
      for (Object r : view.getJsonArray("routes", new JsonArray())) {
        JsonObject routeView = (JsonObject) r;
        String route = routeView.getString("route");
        if (routes.get(route) == null) {
          routes.put(route, new JsonObject().put("route", route).put("balance", routeView.getString("balance"))
            .put("healthChecks", routeView.getBoolean("healthChecks")).put("targets", new JsonArray()));
        }
        for (Object t : routeView.getJsonArray("targets", new JsonArray())) {
          JsonObject target = (JsonObject) t;
          String key = route + ' ' + target.getString("target");
          JsonObject merged = targets.get(key);
          if (merged == null) {
            merged = target.copy().put("views", new JsonArray());
            targets.put(key, merged);
            routes.get(route).getJsonArray("targets").add(merged);
          } else {
            add(merged, target);
          }
          merged.getJsonArray("views").add(new JsonObject().put("node", view.getString("node"))
            .put("instance", view.getString("instance")).put("state", target.getString("state")));
        }
      }
    }
    long now = System.currentTimeMillis();
    targets.values().forEach(t -> {
      Long remaining = t.getLong("remainingMs");
      if (remaining != null && remaining > 0) {
        // For a person reading it; only the duration crossed the bus.
        t.put("until", Instant.ofEpochMilli(now + remaining).toString());
      }
    });
    JsonArray list = new JsonArray();
    routes.values().stream().filter(r -> r != null).forEach(list::add);
    return new JsonObject().put("routes", list);
  }

  private static void add(JsonObject merged, JsonObject other) {
    for (String counter : List.of("inFlight", "requests", "failures")) {
      merged.put(counter, merged.getLong(counter, 0L) + other.getLong(counter, 0L));
    }
    merged.put("consecutiveFailures", Math.max(merged.getLong("consecutiveFailures", 0L),
      other.getLong("consecutiveFailures", 0L)));
    if (WORST_LAST.indexOf(other.getString("state")) > WORST_LAST.indexOf(merged.getString("state"))) {
      for (String key : List.of("state", "ejectedBy", "reason", "remainingMs", "ejections")) {
        merged.put(key, other.getValue(key));
      }
    } else if (other.getLong("remainingMs") != null && merged.getLong("remainingMs") != null) {
      merged.put("remainingMs", Math.max(merged.getLong("remainingMs"), other.getLong("remainingMs")));
    }
  }
}
