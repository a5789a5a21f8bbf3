package dev.sluice.gateway.cache;

import io.vertx.core.json.JsonObject;

/**
 * An operator's purge of a route's cache, published on {@link #ADDRESS} by the admin once it has
 * deleted the entries in Redis: every gateway instance on every node drops the matching entries of
 * its node's local tier (instances of one node repeat the drop; it is idempotent).
 *
 * @param prefix only entries whose path starts with it; null for the whole route
 */
public record CachePurge(String route, String prefix) {
  public static final String ADDRESS = "sluice.cache.purge";

  public JsonObject toJson() {
    return new JsonObject().put("route", route).put("prefix", prefix);
  }

  /** @return null for a message that is not a purge */
  public static CachePurge fromJson(Object body) {
    if (!(body instanceof JsonObject json) || !(json.getValue("route") instanceof String route)) {
      return null;
    }
    return new CachePurge(route, json.getValue("prefix") instanceof String p ? p : null);
  }
}
