package dev.sluice.gateway.cluster;

import dev.sluice.gateway.config.ConfigJson;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A validated new route table, published on {@link #ADDRESS} as {@code {"routes": [...]}} in the
 * config file's layout; every gateway instance on every node swaps it in between requests.
 */
public record RouteReload(List<RouteConfig> routes) {
  public static final String ADDRESS = "sluice.routes.reload";

  public JsonObject toJson() {
    return new JsonObject().put("routes", ConfigJson.toJson(routes));
  }

  /** Validated again on arrival, exactly like the config file: a receiver never trusts a sender. */
  public static RouteReload fromJson(JsonObject json, RoutePolicy defaults) {
    JsonArray routes = json == null ? null : json.getJsonArray("routes");
    return new RouteReload(ConfigParser.parseRoutes(routes == null ? new JsonArray() : routes, defaults));
  }
}
