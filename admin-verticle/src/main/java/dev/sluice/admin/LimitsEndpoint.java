package dev.sluice.admin;

import dev.sluice.gateway.client.ApiKeyDigest;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.limit.RateLimitKeys;
import dev.sluice.gateway.redis.RedisUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /__limits}: per route the limit and window; with {@code ?client=<address>} or
 * {@code ?apiKey=<key>}, that client's window read from Redis (count, remaining, reset) without
 * changing it. Reads are bounded: Redis slower than {@link #BOUND_MS} is reported as unavailable.
 */
final class LimitsEndpoint {
  static final long BOUND_MS = 1000;

  private final Vertx vertx;
  private final Redis redis;
  private final Supplier<List<RouteConfig>> routes;

  LimitsEndpoint(Vertx vertx, String redisUrl, Supplier<List<RouteConfig>> routes) {
    this.vertx = vertx;
    this.redis = Redis.createClient(vertx, RedisUrl.toClientOptions(redisUrl));
    this.routes = routes;
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
   * The busiest clients per route: SCAN (never KEYS) over {@code sluice:rl:*}, at most
   * {@link #MAX_SCANNED_KEYS} keys, ZCARD each (entries may include some just past the window:
   * the limiter trims lazily). Keys look like {@code sluice:rl:{route:client}}.
   */
  private Future<JsonObject> topClients() {
    return scan("0", new java.util.ArrayList<>()).compose(keys -> Future.all(keys.stream()
        .map(k -> redis.send(Request.cmd(Command.ZCARD).arg(k)).map(n -> Map.entry(k, n.toLong()))).toList())
      .map(all -> {
        Map<String, List<JsonObject>> byRoute = new java.util.HashMap<>();
        for (Object o : all.list()) {
          @SuppressWarnings("unchecked") Map.Entry<String, Long> e = (Map.Entry<String, Long>) o;
          String inner = e.getKey().substring(e.getKey().indexOf('{') + 1, e.getKey().length() - 1);
          int colon = inner.indexOf(':');
          byRoute.computeIfAbsent(inner.substring(0, colon), r -> new java.util.ArrayList<>())
            .add(new JsonObject().put("client", inner.substring(colon + 1)).put("count", e.getValue()));
        }
        JsonObject out = new JsonObject().put("$scanned", keys.size()).put("$truncated", keys.size() >= MAX_SCANNED_KEYS);
        byRoute.forEach((route, list) -> out.put(route, new JsonArray(list.stream()
          .sorted((a, b) -> Long.compare(b.getLong("count"), a.getLong("count"))).limit(TOP).toList())));
        return out;
      }));
  }

  private Future<List<String>> scan(String cursor, List<String> keys) {
    return redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg("sluice:rl:*").arg("COUNT").arg(100))
      .compose(page -> {
        for (Response key : page.get(1)) {
          if (keys.size() < MAX_SCANNED_KEYS) {
            keys.add(key.toString());
          }
        }
        String next = page.get(0).toString();
        return "0".equals(next) || keys.size() >= MAX_SCANNED_KEYS ? Future.succeededFuture(keys) : scan(next, keys);
      });
  }

  private static JsonObject limit(RouteConfig r) {
    return new JsonObject().put("route", r.name()).put("limit", r.policy().rateLimit().limit())
      .put("windowMs", r.policy().rateLimit().windowMs());
  }

  /** Counts entries inside the window by Redis's clock, as the limiter does; never trims. */
  private Future<JsonObject> clientWindow(RouteConfig route, String client) {
    String key = RateLimitKeys.key(route.name(), client);
    long windowMs = route.policy().rateLimit().windowMs();
    return redis.send(Request.cmd(Command.TIME)).compose(time -> {
      long nowMicros = time.get(0).toLong() * 1_000_000 + time.get(1).toLong();
      long fromMicros = nowMicros - windowMs * 1000;
      return redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(key).arg("(" + fromMicros).arg("+inf")
          .arg("WITHSCORES").arg("LIMIT").arg(0).arg(1))
        .compose(oldest -> redis.send(Request.cmd(Command.ZCOUNT).arg(key).arg("(" + fromMicros).arg("+inf"))
          .map(count -> view(route, client, count.toLong(), oldestScore(oldest), nowMicros)));
    });
  }

  /** RESP2 answers {@code [member, score]}, RESP3 {@code [[member, score]]}. */
  private static long oldestScore(Response oldest) {
    if (oldest == null || oldest.size() == 0) {
      return -1;
    }
    Response pair = oldest.size() == 1 ? oldest.get(0) : oldest;
    return pair == null || pair.size() < 2 ? -1 : (long) Double.parseDouble(pair.get(1).toString());
  }

  private static JsonObject view(RouteConfig route, String client, long count, long oldestMicros, long nowMicros) {
    int limit = route.policy().rateLimit().limit();
    long windowMs = route.policy().rateLimit().windowMs();
    long resetMs = oldestMicros < 0 ? 0 : Math.max(0, (oldestMicros + windowMs * 1000 - nowMicros + 999) / 1000);
    return limit(route).put("key", RateLimitKeys.key(route.name(), client)).put("count", count)
      .put("remaining", Math.max(0, limit - count)).put("resetSeconds", (resetMs + 999) / 1000);
  }

  void close() {
    redis.close();
  }
}
