package dev.sluice.admin;

import dev.sluice.gateway.circuit.CircuitEvent;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code GET /__circuit}: per route the cluster's state (the last event in {@code sluice.circuits})
 * and each instance's own view; a cluster member that sent no view within the bound is listed as
 * unreachable. {@code POST /__circuit/<route>/reset|open}: a cluster-wide transition, sent as the
 * same event every instance already applies.
 */
final class CircuitEndpoint {
  private final Vertx vertx;
  private final SnapshotGatherer gatherer;
  private final Supplier<Set<String>> routeNames;
  private final String adminId = "admin-" + UUID.randomUUID();

  CircuitEndpoint(Vertx vertx, SnapshotGatherer gatherer, Supplier<Set<String>> routeNames) {
    this.vertx = vertx;
    this.gatherer = gatherer;
    this.routeNames = routeNames;
  }

  void get(RoutingContext ctx) {
    Future<List<JsonObject>> views = gatherer.gather();
    Future<AsyncMap<String, JsonObject>> map = vertx.sharedData().getAsyncMap(CircuitEvent.MAP);
    Future.all(views, map)
      .compose(all -> Future.all(routeNames.get().stream().map(r -> map.result().get(r)
        .map(json -> routeView(r, json, views.result()))).toList())
        .map(routes -> new JsonObject().put("routes", new JsonArray(routes.list())).put("nodes", nodes(views.result()))))
      .onSuccess(body -> AdminReplies.json(ctx, 200, body))
      .onFailure(err -> AdminReplies.error(ctx, 503, "CLUSTER_UNAVAILABLE", String.valueOf(err.getMessage())));
  }

  void change(RoutingContext ctx, CircuitBreakerState to) {
    String route = ctx.pathParam("route");
    if (!routeNames.get().contains(route)) {
      AdminReplies.error(ctx, 404, "NO_SUCH_ROUTE", "no route named '" + route + "'");
      return;
    }
    String reason = "admin " + (to == CircuitBreakerState.OPEN ? "open" : "reset");
    JsonObject event = new CircuitEvent(route, to, adminId, "admin", 0, System.currentTimeMillis(), reason).toJson();
    // The map first, as instances do: a newcomer or a probe winner reads it.
    vertx.sharedData().<String, JsonObject>getAsyncMap(CircuitEvent.MAP)
      .compose(m -> m.put(route, event))
      .onSuccess(v -> {
        vertx.eventBus().publish(CircuitEvent.ADDRESS, event);
        AdminReplies.json(ctx, 200, new JsonObject().put("route", route).put("state", to.name()).put("reason", reason));
      })
      .onFailure(err -> AdminReplies.error(ctx, 503, "CLUSTER_UNAVAILABLE", String.valueOf(err.getMessage())));
  }

  private static JsonObject routeView(String route, JsonObject last, List<JsonObject> views) {
    JsonArray instances = new JsonArray();
    for (JsonObject view : views) {
      for (Object r : view.getJsonArray("routes", new JsonArray())) {
        JsonObject rv = (JsonObject) r;
        if (route.equals(rv.getString("route"))) {
          instances.add(new JsonObject().put("node", view.getString("node")).put("instance", view.getString("instance"))
            .put("state", rv.getString("state")).put("failures", rv.getLong("failures")));
        }
      }
    }
    CircuitEvent event = last == null ? null : CircuitEvent.fromJson(last);
    return new JsonObject()
      .put("route", route)
      .put("state", event == null ? "CLOSED" : event.state().name())
      .put("openedAt", event == null ? null : event.openedAt())
      .put("reason", event == null ? null : event.reason())
      .put("views", instances);
  }

  private JsonArray nodes(List<JsonObject> views) {
    Set<String> answered = new LinkedHashSet<>();
    views.forEach(v -> answered.add(v.getString("node")));
    Set<String> members = new LinkedHashSet<>(answered);
    if (vertx.isClustered()) {
      members.addAll(((VertxInternal) vertx).clusterManager().getNodes());
    }
    JsonArray nodes = new JsonArray();
    for (String node : members) {
      long instances = views.stream().filter(v -> node.equals(v.getString("node"))).count();
      nodes.add(new JsonObject().put("node", node).put("instances", instances).put("unreachable", instances == 0));
    }
    return nodes;
  }
}
