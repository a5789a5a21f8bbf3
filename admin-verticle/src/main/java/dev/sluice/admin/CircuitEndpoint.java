package dev.sluice.admin;

import dev.sluice.admin.command.AdminCommands;
import dev.sluice.gateway.circuit.CircuitBus;
import dev.sluice.gateway.circuit.CircuitEvent;
import dev.sluice.gateway.circuit.InstanceSnapshot;
import dev.sluice.gateway.config.RouteConfig;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /__circuit}: per route the cluster's state (its last word in {@code sluice.circuits})
 * and each instance's own view, with scope and version; a cluster member that sent no view within
 * the bound is listed as unreachable. {@code POST /__circuit/<route>/reset|open}: an operator's
 * order, run by {@link AdminCommands#circuit} (as the bridges' {@code sluice.admin.command} is).
 */
final class CircuitEndpoint {
  private final Vertx vertx;
  private final CircuitBus bus;
  private final SnapshotGatherer gatherer;
  private final Supplier<List<RouteConfig>> routes;
  private final AdminCommands commands;

  CircuitEndpoint(Vertx vertx, CircuitBus bus, SnapshotGatherer gatherer, Supplier<List<RouteConfig>> routes,
                  AdminCommands commands) {
    this.vertx = vertx;
    this.bus = bus;
    this.gatherer = gatherer;
    this.routes = routes;
    this.commands = commands;
  }

  void get(RoutingContext ctx) {
    Future<List<InstanceSnapshot>> views = gatherer.gather();
    List<Future<JsonObject>> perRoute = routes.get().stream()
      .map(r -> views.compose(all -> bus.lastWord(r.name()).map(last -> routeView(r.name(), last, all))))
      .toList();
    Future.all(perRoute)
      .map(all -> new JsonObject().put("routes", new JsonArray(all.list())).put("nodes", nodes(views.result())))
      .onSuccess(body -> AdminReplies.json(ctx, 200, body))
      .onFailure(err -> AdminReplies.error(ctx, 503, "CLUSTER_UNAVAILABLE", String.valueOf(err.getMessage())));
  }

  void change(RoutingContext ctx, CircuitBreakerState to) {
    commands.circuit(ctx.pathParam("route"), to)
      .onSuccess(changed -> AdminReplies.json(ctx, 200, changed))
      .onFailure(err -> AdminReplies.failure(ctx, err));
  }

  private static JsonObject routeView(String route, CircuitEvent last, List<InstanceSnapshot> views) {
    JsonArray instances = new JsonArray();
    for (InstanceSnapshot view : views) {
      view.route(route).ifPresent(rv -> instances.add(new JsonObject()
        .put("node", view.node()).put("instance", view.instance())
        .put("state", rv.state().name()).put("scope", rv.scope().name()).put("version", rv.version())
        .put("failures", rv.failures()).put("callers", rv.callers()).put("probeInMs", rv.probeInMs()).put("reason", rv.reason())));
    }
    return new JsonObject()
      .put("route", route)
      .put("state", last == null ? "CLOSED" : last.state().name())
      .put("scope", last == null ? "CLUSTER" : last.scope().name())
      .put("version", last == null ? 0 : last.version())
      .put("reason", last == null ? null : last.reason())
      .put("views", instances);
  }

  private JsonArray nodes(List<InstanceSnapshot> views) {
    Set<String> members = new LinkedHashSet<>();
    views.forEach(v -> members.add(v.node()));
    if (vertx.isClustered()) {
      members.addAll(((VertxInternal) vertx).clusterManager().getNodes());
    }
    JsonArray nodes = new JsonArray();
    for (String node : members) {
      long instances = views.stream().filter(v -> node.equals(v.node())).count();
      nodes.add(new JsonObject().put("node", node).put("instances", instances).put("unreachable", instances == 0));
    }
    return nodes;
  }
}
