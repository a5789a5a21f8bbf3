package dev.sluice.admin;

import dev.sluice.gateway.cache.CachePurge;
import dev.sluice.gateway.cache.CachePurger;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.redis.RedisUrl;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code DELETE /__cache/<route>[?prefix=/p]} (token): deletes the route's entries in Redis, then
 * publishes {@link CachePurge} so that every gateway node drops them from its local tier. Redis
 * first: a node that misses locally in between finds nothing old in Redis to fetch again.
 */
final class CacheEndpoint {
  /** Per Redis call of the purge (a SCAN page, a DEL), not for the whole purge. */
  private static final long CALL_BOUND_MS = 2_000;

  private final Vertx vertx;
  private final Redis redis;
  private final CachePurger purger;
  private final Supplier<List<RouteConfig>> routes;

  CacheEndpoint(Vertx vertx, String redisUrl, Supplier<List<RouteConfig>> routes) {
    this.vertx = vertx;
    RedisOptions options = RedisUrl.toClientOptions(redisUrl);
    this.redis = Redis.createClient(vertx, options);
    this.purger = new CachePurger(vertx, options, redis, CALL_BOUND_MS);
    this.routes = routes;
  }

  void purge(RoutingContext ctx) {
    String name = ctx.pathParam("route");
    Optional<RouteConfig> route = routes.get().stream().filter(r -> r.name().equals(name)).findFirst();
    if (route.isEmpty()) {
      AdminReplies.error(ctx, 404, "NO_SUCH_ROUTE", "no route named '" + name + "'");
      return;
    }
    String prefix = ctx.request().getParam("prefix");
    if (prefix != null && !prefix.startsWith("/")) {
      AdminReplies.error(ctx, 400, "BAD_REQUEST", "prefix must be a path starting with /");
      return;
    }
    purger.purge(name, prefix)
      .onSuccess(deleted -> {
        vertx.eventBus().publish(CachePurge.ADDRESS, new CachePurge(name, prefix).toJson());
        AdminReplies.json(ctx, 200, new JsonObject().put("route", name).put("prefix", prefix)
          .put("deletedFromRedis", deleted).put("cached", route.get().cache().enabled()));
      })
      .onFailure(err -> AdminReplies.error(ctx, 503, "REDIS_UNAVAILABLE", "cannot purge in Redis: " + err.getMessage()));
  }

  void close() {
    redis.close();
  }
}
