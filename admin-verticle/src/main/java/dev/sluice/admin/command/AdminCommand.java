package dev.sluice.admin.command;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * An operator's order, sent (request/reply) on {@link #ADDRESS}:
 * {@code {"action": "reset"|"open", "route": "users"}} or {@code {"action": "reload", "routes": [...]}}.
 * {@link #fromJson} is its one codec. Over a bridge it needs the admin token in the message's
 * headers (checked by the bridge, which then strips them: the token goes no further).
 */
public record AdminCommand(Action action, String route, JsonArray routes) {
  public static final String ADDRESS = "sluice.admin.command";

  public enum Action { RESET, OPEN, RELOAD }

  /** @throws CommandFailure 400 BAD_COMMAND naming the field that is wrong */
  public static AdminCommand fromJson(Object body) {
    if (!(body instanceof JsonObject json)) {
      throw bad("body: must be a JSON object {\"action\": \"reset\"|\"open\"|\"reload\", ...}");
    }
    if (!(json.getValue("action") instanceof String name)) {
      throw bad("action: must be one of reset, open, reload");
    }
    Action action;
    try {
      action = Action.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw bad("action: must be one of reset, open, reload");
    }
    if (action == Action.RELOAD) {
      if (!(json.getValue("routes") instanceof JsonArray routes)) {
        throw bad("routes: must be a list of routes");
      }
      return new AdminCommand(action, null, routes);
    }
    if (!(json.getValue("route") instanceof String route) || route.isBlank()) {
      throw bad("route: must be the name of a route");
    }
    return new AdminCommand(action, route, null);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("action", action.name().toLowerCase(Locale.ROOT));
    return action == Action.RELOAD ? json.put("routes", routes) : json.put("route", route);
  }

  private static CommandFailure bad(String problem) {
    return new CommandFailure(400, "BAD_COMMAND", problem);
  }
}
