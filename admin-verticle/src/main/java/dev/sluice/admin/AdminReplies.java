package dev.sluice.admin;

import dev.sluice.admin.command.CommandFailure;
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

  /** A command's failure as its status and error body; anything else is a bug, and says so. */
  static void failure(RoutingContext ctx, Throwable err) {
    CommandFailure failure = err instanceof CommandFailure f ? f
      : new CommandFailure(500, "INTERNAL", String.valueOf(err.getMessage()));
    json(ctx, failure.status(), failure.toJson());
  }
}
