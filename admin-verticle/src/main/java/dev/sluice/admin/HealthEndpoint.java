package dev.sluice.admin;

import dev.sluice.gateway.circuit.InstanceSnapshot;
import dev.sluice.gateway.redis.RedisUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /__health}: UP while this node has gateway instances answering, DEGRADED (still 200)
 * while any of them answers limits from {@code redis.onFailure} instead of Redis, DOWN (503) with
 * no instance answering. Redis down does not make the node DOWN — the limiter answers by
 * {@code redis.onFailure} and load balancers should keep the node — but DEGRADED says limits are
 * this node's share, not the cluster's exact window, so an on-call engineer sees it at a glance.
 */
final class HealthEndpoint {
  static final long REDIS_BOUND_MS = 500;

  private final Vertx vertx;
  private final Redis redis;
  private final SnapshotGatherer gatherer;
  private final String onFailure;

  HealthEndpoint(Vertx vertx, String redisUrl, String onFailure, SnapshotGatherer gatherer) {
    this.vertx = vertx;
    this.redis = Redis.createClient(vertx, RedisUrl.toClientOptions(redisUrl));
    this.onFailure = onFailure;
    this.gatherer = gatherer;
  }

  void get(RoutingContext ctx) {
    Future<Boolean> redisUp = redis.send(Request.cmd(Command.PING))
      .timeout(REDIS_BOUND_MS, TimeUnit.MILLISECONDS)
      .map(pong -> true)
      .otherwise(false);
    Future<List<InstanceSnapshot>> views = gatherer.gather();
    Future.join(redisUp, views).onComplete(ar -> {
      String node = nodeId();
      List<InstanceSnapshot> mine = views.result() == null ? List.of()
        : views.result().stream().filter(v -> node == null || node.equals(v.node())).toList();
      boolean fallback = mine.stream().anyMatch(InstanceSnapshot::limiterOnFallback);
      boolean up = !mine.isEmpty();
      JsonObject body = new JsonObject()
        .put("status", !up ? "DOWN" : fallback ? "DEGRADED" : "UP")
        .put("checks", new JsonObject()
          .put("gateway", new JsonObject().put("status", up ? "UP" : "DOWN").put("instances", mine.size()))
          .put("redis", new JsonObject().put("status", Boolean.TRUE.equals(redisUp.result()) ? "UP" : "DOWN")
            .put("onFailure", onFailure).put("limiterOnFallback", fallback))
          .put("cluster", cluster()));
      AdminReplies.json(ctx, up ? 200 : 503, body);
    });
  }

  private String nodeId() {
    return vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodeId() : null;
  }

  private JsonObject cluster() {
    if (!vertx.isClustered()) {
      return new JsonObject().put("clustered", false).put("members", 1);
    }
    return new JsonObject().put("clustered", true)
      .put("members", ((VertxInternal) vertx).clusterManager().getNodes().size());
  }

  void close() {
    redis.close();
  }
}
