package dev.sluice.admin;

import dev.sluice.gateway.client.ApiKeyDigest;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.limit.LimitWindow;
import dev.sluice.gateway.limit.RateLimitKeys;
import dev.sluice.gateway.limit.WindowKeyScan;
import dev.sluice.gateway.limit.WindowReader;
import dev.sluice.gateway.redis.RedisUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /__limits}: per route the limit and window; with {@code ?client=<address>} or
 * {@code ?apiKey=<key>} (digested first, as the gateway does), that client's window read from Redis
 * (count, remaining, reset) without changing it, by the limiter's own {@link WindowReader}. Reads are bounded: Redis slower than {@link #BOUND_MS} is reported as unavailable.
 */
final class LimitsEndpoint {
  static final long BOUND_MS = 1000;

  private final Vertx vertx;
  private final Redis redis;
  private final Supplier<List<RouteConfig>> routes;
  private final WindowReader windows;
  private final WindowKeyScan keyScan;

  LimitsEndpoint(Vertx vertx, String redisUrl, Supplier<List<RouteConfig>> routes) {
    this.vertx = vertx;
    RedisOptions options = RedisUrl.toClientOptions(redisUrl);
    this.redis = Redis.createClient(vertx, options);
    this.routes = routes;
    this.windows = new WindowReader(redis::send);
    this.keyScan = new WindowKeyScan(vertx, options, redis);
  }

  void get(RoutingContext ctx) {
    String client = ctx.request().getParam("client");
    String apiKey = ctx.request().getParam("apiKey");
    String id = apiKey != null ? ApiKeyDigest.identity(apiKey) : client;
    if (id == null) {
      topClients()
        .timeout(BOUND_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .onSuccess(top -> {
          JsonArray out = new JsonArray();
          routes.get().forEach(r -> out.add(limit(r).put("topClients", top.getJsonArray(r.name(), new JsonArray()))));
          AdminReplies.json(ctx, 200, new JsonObject().put("routes", out).put("scannedKeys", top.getInteger("$scanned"))
            .put("truncated", top.getBoolean("$truncated")));
        })
        .onFailure(err -> AdminReplies.error(ctx, 503, "REDIS_UNAVAILABLE", "cannot read Redis: " + err.getMessage()));
      return;
    }
    Future.all(routes.get().stream().map(r -> clientWindow(r, id)).toList())
      .timeout(BOUND_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
      .onSuccess(all -> AdminReplies.json(ctx, 200,
        new JsonObject().put("client", id).put("routes", new JsonArray(all.list()))))
      .onFailure(err -> AdminReplies.error(ctx, 503, "REDIS_UNAVAILABLE", "cannot read Redis: " + err.getMessage()));
  }

  static final int MAX_SCANNED_KEYS = 1000;
  static final int TOP = 10;

  /**
   * The busiest clients per route: SCAN (never KEYS) over {@code sluice:rl:*} on every server
   * that holds windows ({@link WindowKeyScan}), at most {@link #MAX_SCANNED_KEYS} keys, each
   * window read as the limiter counts it ({@link WindowReader}: weighted members, entries past the
   * window left out). Keys of routes no longer in the table are
   * skipped: their windows only wait to expire.
   */
  private Future<JsonObject> topClients() {
    Map<String, RouteConfig> byName = new java.util.HashMap<>();
    routes.get().forEach(r -> byName.put(r.name(), r));
    return keyScan.keys(MAX_SCANNED_KEYS).compose(keys -> Future.all(keys.stream()
        .map(RateLimitKeys::parse)
        .filter(parsed -> parsed != null && byName.containsKey(parsed.route()))
        .map(parsed -> windows.read(parsed.route(), parsed.client(), byName.get(parsed.route()).policy().rateLimit()))
        .toList())
      .map(all -> {
        Map<String, List<LimitWindow>> byRoute = new java.util.HashMap<>();
        for (LimitWindow window : all.<LimitWindow>list()) {
          byRoute.computeIfAbsent(window.route(), r -> new java.util.ArrayList<>()).add(window);
        }
        JsonObject out = new JsonObject().put("$scanned", keys.size()).put("$truncated", keys.size() >= MAX_SCANNED_KEYS);
        byRoute.forEach((route, list) -> out.put(route, new JsonArray(list.stream()
          .sorted((a, b) -> Long.compare(b.count(), a.count())).limit(TOP)
          .map(w -> new JsonObject().put("client", w.client()).put("count", w.count()))
          .toList())));
        return out;
      }));
  }

  private static JsonObject limit(RouteConfig r) {
    return new JsonObject().put("route", r.name()).put("limit", r.policy().rateLimit().limit())
      .put("windowMs", r.policy().rateLimit().windowMs());
  }

  /** The window as the limiter counts it, by Redis's clock; never trims. */
  private Future<JsonObject> clientWindow(RouteConfig route, String client) {
    return windows.read(route.name(), client, route.policy().rateLimit())
      .map(w -> limit(route).put("key", w.key()).put("count", w.count())
        .put("remaining", w.remaining()).put("resetSeconds", w.resetSeconds()));
  }

  void close() {
    redis.close();
  }
}
