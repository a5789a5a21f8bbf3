package dev.sluice.app;

import dev.sluice.gateway.client.ApiKeyDigest;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.limit.WindowReader;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.concurrent.TimeUnit;

/**
 * What the jar ITs read from the limiter's Redis, each on a fresh connection (the server may have
 * been restarted since the last read).
 */
final class RedisWindows {
  private final Vertx vertx;
  private final String url;

  RedisWindows(Vertx vertx, String url) {
    this.vertx = vertx;
    this.url = url;
  }

  /** {@code sluice:rl:{<route>:key:<digest>}}: in header mode a client is named by its key's digest. */
  static String key(String route, String apiKey) {
    return "sluice:rl:{" + route + ":" + ApiKeyDigest.identity(apiKey) + "}";
  }

  /** Slots the client's window counts, read as the limiter counts them (a member may hold several). */
  long slots(String route, String apiKey, RateLimitPolicy policy) throws Exception {
    Redis client = Redis.createClient(vertx, url);
    try {
      return new WindowReader(client::send).read(key(route, apiKey), policy).await(5, TimeUnit.SECONDS).count();
    } finally {
      client.close();
    }
  }

  long asLong(Request command) throws Exception {
    Redis client = Redis.createClient(vertx, url);
    try {
      return client.send(command).await(5, TimeUnit.SECONDS).toLong();
    } finally {
      client.close();
    }
  }
}
