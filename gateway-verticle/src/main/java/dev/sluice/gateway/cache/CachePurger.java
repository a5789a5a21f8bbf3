package dev.sluice.gateway.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.net.URI;
import java.util.List;

/**
 * Deletes a route's entries in Redis, wherever they live. A route's keys share the hash tag
 * {@code {route}}, so on a Redis Cluster they all sit on the master that owns its slot; a SCAN
 * cursor means something only on one node (a cluster client would send each page to whichever
 * node it likes), so the purge runs on a connection of its own to that master.
 */
public final class CachePurger {
  private final Vertx vertx;
  private final RedisOptions options;
  private final Redis redis;
  private final long callBoundMs;

  /** @param redis a client made from {@code options}, owned by the caller */
  public CachePurger(Vertx vertx, RedisOptions options, Redis redis, long callBoundMs) {
    this.vertx = vertx;
    this.options = options;
    this.redis = redis;
    this.callBoundMs = callBoundMs;
  }

  /** @return how many entries were deleted */
  public Future<Long> purge(String route, String prefix) {
    if (options.getType() != RedisClientType.CLUSTER) {
      return new CacheStore(redis::send, callBoundMs).purge(route, prefix);
    }
    return masterOf(new CacheKey(route, "/", "").entryKey()).compose(endpoint -> {
      Redis master = Redis.createClient(vertx, new RedisOptions(options)
        .setType(RedisClientType.STANDALONE).setEndpoints(List.of(endpoint)));
      return new CacheStore(master::send, callBoundMs).purge(route, prefix).eventually(master::close);
    });
  }

  /** The endpoint of the master that owns {@code key}'s slot, with the scheme and credentials of the configured seed. */
  private Future<String> masterOf(String key) {
    URI seed = URI.create(options.getEndpoint());
    String prefix = seed.getScheme() + "://" + (seed.getRawUserInfo() == null ? "" : seed.getRawUserInfo() + "@");
    return redis.send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(key)).compose(slotReply -> {
      long slot = slotReply.toLong();
      return redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).compose(ranges -> {
        for (Response range : ranges) {
          if (range.get(0).toLong() <= slot && slot <= range.get(1).toLong()) {
            Response master = range.get(2);
            String host = master.get(0) == null || master.get(0).toString().isEmpty()
              ? seed.getHost() // Redis 7: "" means the host the question was sent to
              : master.get(0).toString();
            return Future.succeededFuture(prefix + (host.contains(":") ? "[" + host + "]" : host) + ":"
              + master.get(1).toInteger());
          }
        }
        return Future.failedFuture("no master owns slot " + slot + " of " + key);
      });
    });
  }
}
