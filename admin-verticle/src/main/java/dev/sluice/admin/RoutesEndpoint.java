package dev.sluice.admin;

import dev.sluice.admin.command.AdminCommands;
import dev.sluice.admin.command.AdminRouteTable;
import dev.sluice.gateway.config.ConfigJson;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /__routes}: the effective route table (defaults merged) and its version, as this
 * node's gateways route by it ({@link AdminRouteTable}). {@code PUT /__routes}: a new table,
 * through {@link AdminCommands#reload} (validated like the config file; a bad table changes
 * nothing, a good one is stored as the cluster's newest and published to every instance).
 */
final class RoutesEndpoint {
  private final AdminRouteTable routes;
  private final AdminCommands commands;

  RoutesEndpoint(AdminRouteTable routes, AdminCommands commands) {
    this.routes = routes;
    this.commands = commands;
  }

  void get(RoutingContext ctx) {
    AdminReplies.json(ctx, 200,
      new JsonObject().put("version", routes.version()).put("routes", ConfigJson.toJson(routes.current())));
  }

  void put(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      AdminReplies.failure(ctx, AdminCommands.invalid(new JsonArray().add("body: not a JSON object {\"routes\": [...]}")));
      return;
    }
    commands.reload(body)
      .onSuccess(published -> AdminReplies.json(ctx, 200, published))
      .onFailure(err -> AdminReplies.failure(ctx, err));
  }
}
