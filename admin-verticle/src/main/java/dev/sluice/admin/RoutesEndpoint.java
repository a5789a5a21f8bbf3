package dev.sluice.admin;

import dev.sluice.gateway.cluster.RouteReload;
import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.ConfigJson;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /__routes}: the effective route table (defaults merged). {@code PUT /__routes}:
 * validated exactly like the config file; a bad table changes nothing, a good one is published on
 * {@code sluice.routes.reload} for every instance of every node. The table shown follows reloads
 * published by any node's admin.
 */
final class RoutesEndpoint {
  private final Vertx vertx;
  private final RoutePolicy defaults;
  private volatile List<RouteConfig> routes;
  private MessageConsumer<JsonObject> reloads;

  RoutesEndpoint(Vertx vertx, RoutePolicy defaults, List<RouteConfig> routes) {
    this.vertx = vertx;
    this.defaults = defaults;
    this.routes = routes;
  }

  Future<Void> start() {
    reloads = vertx.eventBus().consumer(RouteReload.ADDRESS, m -> {
      try {
        routes = RouteReload.fromJson(m.body(), defaults).routes();
      } catch (ConfigException ignored) {
        // the gateways drop it too; the table shown stays what they route by
      }
    });
    return reloads.completion();
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
    AdminReplies.json(ctx, 200, new JsonObject().put("routes", ConfigJson.toJson(routes)));
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
    routes = reload.routes();
    vertx.eventBus().publish(RouteReload.ADDRESS, reload.toJson());
    AdminReplies.json(ctx, 200, reload.toJson());
  }

  Future<Void> stop() {
    return reloads == null ? Future.succeededFuture() : reloads.unregister();
  }
}
