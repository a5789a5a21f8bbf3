package dev.sluice.admin;

import dev.sluice.gateway.route.RouteReload;
import dev.sluice.gateway.route.RouteTableStore;
import dev.sluice.gateway.route.RouteTableSync;
import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.ConfigJson;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /__routes}: the effective route table (defaults merged) and its version.
 * {@code PUT /__routes}: validated exactly like the config file; a bad table changes nothing, a
 * good one is stored as the cluster's newest table ({@code sluice.routes}, which nodes that start
 * later read) and then published on {@code sluice.routes.reload} for every instance of every node.
 * The table shown follows the gateways' own rule ({@link RouteTableSync}: the stored table at
 * start, then every reload that is not older, validated against this node's defaults), so it is
 * what this node's gateways route by.
 */
final class RoutesEndpoint {
  private final Vertx vertx;
  private final RoutePolicy defaults;
  private final RouteTableStore store;
  private final RouteTableSync sync;
  private volatile List<RouteConfig> routes;

  RoutesEndpoint(Vertx vertx, RoutePolicy defaults, List<RouteConfig> routes) {
    this.vertx = vertx;
    this.defaults = defaults;
    this.routes = routes;
    this.store = new RouteTableStore(vertx);
    this.sync = new RouteTableSync(vertx, defaults, reload -> {
      this.routes = reload.routes();
      return Future.succeededFuture();
    });
  }

  Future<Void> start() {
    return sync.start();
  }

  List<RouteConfig> current() {
    return routes;
  }

  Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    routes.forEach(r -> names.add(r.name()));
    return names;
  }

  void get(RoutingContext ctx) {
    AdminReplies.json(ctx, 200,
      new JsonObject().put("version", sync.version()).put("routes", ConfigJson.toJson(routes)));
  }

  void put(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      AdminReplies.problems(ctx, new JsonArray().add("body: not a JSON object {\"routes\": [...]}"));
      return;
    }
    if (body == null || !(body.getValue("routes") instanceof JsonArray)) {
      AdminReplies.problems(ctx, new JsonArray().add("routes: must be a list of routes"));
      return;
    }
    RouteReload reload;
    try {
      reload = RouteReload.fromJson(body, defaults);
    } catch (ConfigException e) {
      AdminReplies.problems(ctx, new JsonArray(e.problems()));
      return;
    }
    // Stored first: a node that starts between the two steps must not miss a table it was never sent.
    store.save(reload).onComplete(saved -> {
      if (saved.failed()) {
        AdminReplies.error(ctx, 503, "ROUTES_NOT_STORED", "the route table could not be stored in "
          + RouteTableStore.MAP + " (" + saved.cause().getMessage() + "); nothing changed");
        return;
      }
      JsonObject published = saved.result().toJson();
      sync.offer(saved.result());
      vertx.eventBus().publish(RouteReload.ADDRESS, published);
      AdminReplies.json(ctx, 200, published);
    });
  }

  Future<Void> stop() {
    return sync.stop();
  }
}
