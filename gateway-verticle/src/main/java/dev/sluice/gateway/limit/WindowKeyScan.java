package dev.sluice.gateway.limit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Lists limiter window keys ({@code sluice:rl:*}) with {@code SCAN}, never {@code KEYS}, up to a
 * bound, on every server that holds them: the one server (or the Sentinels' master), or each
 * master of a Redis Cluster in turn. A SCAN cursor belongs to one node and a cluster client sends a
 * key-less command to any node it likes, so through the cluster client a scan would wander between
 * nodes with cursors that mean nothing there; each master is scanned on a connection of its own.
 */
public final class WindowKeyScan {
  private static final int PAGE = 100;

  private final Vertx vertx;
  private final RedisOptions options;
  private final Redis redis;

  /** @param redis a client made from {@code options}, owned by the caller */
  public WindowKeyScan(Vertx vertx, RedisOptions options, Redis redis) {
    this.vertx = vertx;
    this.options = options;
    this.redis = redis;
  }

  public Future<List<String>> keys(int max) {
    if (options.getType() != RedisClientType.CLUSTER) {
      return scan(redis::send, "0", new ArrayList<>(), max);
    }
    return masters().compose(masters -> scanEach(masters, 0, new ArrayList<>(), max));
  }

  private Future<List<String>> scanEach(List<String> masters, int next, List<String> keys, int max) {
    if (next == masters.size() || keys.size() >= max) {
      return Future.succeededFuture(keys);
    }
    Redis master = Redis.createClient(vertx, new RedisOptions(options)
        .setType(RedisClientType.STANDALONE).setEndpoints(List.of(masters.get(next))));
    return scan(master::send, "0", keys, max)
        .eventually(master::close)
        .compose(soFar -> scanEach(masters, next + 1, soFar, max));
  }

  private static Future<List<String>> scan(Function<Request, Future<Response>> server, String cursor,
                                           List<String> keys, int max) {
    return server.apply(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(RateLimitKeys.PREFIX + "*").arg("COUNT").arg(PAGE))
      .compose(page -> {
        for (Response key : page.get(1)) {
          if (keys.size() < max) {
            keys.add(key.toString());
          }
        }
        String next = page.get(0).toString();
        return "0".equals(next) || keys.size() >= max ? Future.succeededFuture(keys) : scan(server, next, keys, max);
      });
  }

  /**
   * The masters' endpoints from {@code CLUSTER SLOTS}, with the scheme and credentials of the
   * first configured endpoint (TLS and the password apply to every node).
   */
  private Future<List<String>> masters() {
    URI seed = URI.create(options.getEndpoint());
    String prefix = seed.getScheme() + "://" + (seed.getRawUserInfo() == null ? "" : seed.getRawUserInfo() + "@");
    return redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).map(ranges -> {
      Set<String> masters = new LinkedHashSet<>();
      for (Response range : ranges) {
        Response master = range.get(2);
        String host = master.get(0) == null || master.get(0).toString().isEmpty()
            ? seed.getHost() // Redis 7: "" means the host the question was sent to
            : master.get(0).toString();
        masters.add(prefix + (host.contains(":") ? "[" + host + "]" : host) + ":" + master.get(1).toInteger());
      }
      return List.copyOf(masters);
    });
  }
}
