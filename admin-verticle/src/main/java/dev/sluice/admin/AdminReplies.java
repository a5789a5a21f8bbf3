package dev.sluice.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers of the admin API, written in one place. */
final class AdminReplies {
  private AdminReplies() {
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encodePrettily());
  }

  static void error(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("status", "error").put("code", code).put("message", message));
  }

  static void problems(RoutingContext ctx, JsonArray problems) {
    json(ctx, 400, new JsonObject().put("status", "error").put("code", "INVALID_ROUTES")
      .put("message", "the route table does not validate; nothing changed").put("problems", problems));
  }
}
