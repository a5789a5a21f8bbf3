package dev.sluice.gateway.auth;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An API-key consumer as stored in {@code sluice:consumer:<id>}.
 *
 * @param limits       per route name, the limit that replaces the route's own for this consumer
 * @param keyDigests   SHA-256 of each of its keys (never a key)
 * @param createdAtMs  ms since the epoch, by the admin node's clock (shown, never compared across nodes)
 */
public record Consumer(String id, Map<String, RateLimitPolicy> limits, List<String> keyDigests, long createdAtMs) {
  public Consumer {
    limits = Map.copyOf(limits);
    keyDigests = List.copyOf(keyDigests);
  }

  /** The limit for {@code route}: the consumer's own, or null for the route's. */
  public RateLimitPolicy limitFor(String route) {
    return limits.get(route);
  }

  /** As the admin API shows it: digest prefixes, never whole digests or keys. */
  public JsonObject toAdminJson() {
    JsonArray keys = new JsonArray();
    keyDigests.stream().sorted().forEach(d -> keys.add(KeyDigest.prefix(d)));
    return new JsonObject().put("id", id).put("createdAt", createdAtMs).put("limits", limitsJson(limits)).put("keys", keys);
  }

  static JsonObject limitsJson(Map<String, RateLimitPolicy> limits) {
    JsonObject json = new JsonObject();
    new TreeMap<>(limits).forEach((route, p) -> json.put(route,
      new JsonObject().put("limit", p.limit()).put("windowMs", p.windowMs())));
    return json;
  }

  /**
   * Limits as stored (and as the admin API takes them): {@code {route: {limit, windowMs}}}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Map<String, RateLimitPolicy> limitsFromJson(JsonObject json) {
    Map<String, RateLimitPolicy> limits = new TreeMap<>();
    if (json == null) {
      return limits;
    }
    for (String route : json.fieldNames()) {
      Object value = json.getValue(route);
      if (!(value instanceof JsonObject policy) || !(policy.getValue("limit") instanceof Number limit)
        || limit.longValue() < 1 || limit.longValue() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("limits." + route + ".limit: must be a whole number > 0");
      }
      Object window = policy.getValue("windowMs", RateLimitPolicy.DEFAULT_WINDOW_MS);
      if (!(window instanceof Number w) || w.longValue() < 1) {
        throw new IllegalArgumentException("limits." + route + ".windowMs: must be a whole number > 0");
      }
      limits.put(route, new RateLimitPolicy(limit.intValue(), w.longValue()));
    }
    return limits;
  }
}
