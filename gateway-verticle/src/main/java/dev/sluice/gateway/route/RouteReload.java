package dev.sluice.gateway.route;

import dev.sluice.gateway.config.ConfigJson;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A validated new route table, published on {@link #ADDRESS} as {@code {"version": n, "routes": [...]}}
 * in the config file's layout, and kept as the cluster's last word in {@link RouteTableStore}; every
 * gateway instance on every node swaps it in between requests, unless it already serves a newer one.
 *
 * @param version orders tables: a greater one is newer. {@link #FILE_VERSION} is a config file's
 *                table, and that of a message that carries no version.
 */
public record RouteReload(long version, List<RouteConfig> routes) {
  public static final String ADDRESS = "sluice.routes.reload";
  public static final long FILE_VERSION = 0;

  public RouteReload {
    routes = List.copyOf(routes);
  }

  public RouteReload withVersion(long next) {
    return new RouteReload(next, routes);
  }

  public JsonObject toJson() {
    return new JsonObject().put("version", version).put("routes", ConfigJson.toJson(routes));
  }

  /** The version a message or stored table claims, read before anything is validated. */
  public static long versionOf(JsonObject json) {
    Object version = json == null ? null : json.getValue("version");
    return version instanceof Number n ? n.longValue() : FILE_VERSION;
  }

  /** Validated again on arrival, exactly like the config file: a receiver never trusts a sender. */
  public static RouteReload fromJson(JsonObject json, RoutePolicy defaults) {
    // Not a list at all reads as an empty one, which does not validate either: a foreign message
    // must not throw on the receiver's event loop.
    JsonArray routes = json != null && json.getValue("routes") instanceof JsonArray array ? array : new JsonArray();
    return new RouteReload(versionOf(json), ConfigParser.parseRoutes(routes, defaults));
  }
}
