package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.redis.RedisUrl;
import dev.sluice.localredis.LocalRedisCluster;
import dev.sluice.localredis.RedisServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /__limits} finds every window, on one server and on every master of a Redis Cluster. */
@ExtendWith(VertxExtension.class)
class WindowKeyScanTest {
  private static final long AWAIT_S = 10;
  private static final int WINDOWS = 300;

  @Test
  void findsEveryWindowOnEveryMasterOfACluster(Vertx vertx) throws Exception {
    try (LocalRedisCluster cluster = LocalRedisCluster.start(3)) {
      String url = cluster.masters().get(0).url() + "," + cluster.masters().get(1).url() + "?type=cluster";
      Set<RedisServerProcess> holders = new HashSet<>();
      for (String key : expectedKeys()) {
        holders.add(cluster.masterOf(key));
      }
      assertEquals(3, holders.size(), "windows on all three masters");
      assertFindsEveryWindow(vertx, url);
    }
  }

  @Test
  void findsEveryWindowOnOneServer(Vertx vertx) throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      assertFindsEveryWindow(vertx, server.url());
    }
  }

  private static void assertFindsEveryWindow(Vertx vertx, String url) throws Exception {
    RedisOptions options = RedisUrl.toClientOptions(url);
    Redis redis = Redis.createClient(vertx, options);
    try {
      for (String key : expectedKeys()) {
        await(redis.send(Request.cmd(Command.ZADD).arg(key).arg(1).arg("m")));
      }
      await(redis.send(Request.cmd(Command.SET).arg("not-a-window").arg(1)));
      WindowKeyScan scan = new WindowKeyScan(vertx, options, redis);

      List<String> all = await(scan.keys(10_000));
      assertEquals(WINDOWS, all.size(), "each window once");
      assertEquals(Set.copyOf(expectedKeys()), Set.copyOf(all), "windows and nothing else");
      List<String> bounded = await(scan.keys(50));
      assertEquals(50, bounded.size());
      assertTrue(Set.copyOf(expectedKeys()).containsAll(bounded));
    } finally {
      await(redis.close());
    }
  }

  private static List<String> expectedKeys() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < WINDOWS; i++) {
      keys.add(RateLimitKeys.key("users", "10.0." + (i / 250) + "." + (i % 250)));
    }
    return keys;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(AWAIT_S, TimeUnit.SECONDS);
  }
}
