package dev.sluice.gateway.cache;

import dev.sluice.gateway.redis.RedisUrl;
import dev.sluice.localredis.LocalRedisCluster;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** On a real Redis Cluster the entries, the lookup script and a purge by prefix all work on the route's slot. */
class CachePurgeOnClusterTest {
  static LocalRedisCluster cluster;
  static Vertx vertx;
  static Redis redis;
  static RedisOptions options;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalRedisCluster.start(3);
    vertx = Vertx.vertx();
    options = RedisUrl.toClientOptions(cluster.masters().get(0).url() + "," + cluster.masters().get(1).url() + "?type=cluster");
    redis = Redis.createClient(vertx, options);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } finally {
      cluster.close();
    }
  }

  static CacheKey key(String route, String path) {
    return CacheKey.of(route, path, null, MultiMap.caseInsensitiveMultiMap(), List.of());
  }

  static CachedEntry entry(String path) {
    return new CachedEntry(path, 200, List.of(), Buffer.buffer("body of " + path), 60_000, 0, 60_000, false);
  }

  @Test
  void aPurgeByPrefixDeletesOnlyThatRoutesEntriesUnderIt() throws Exception {
    CacheStore store = new CacheStore(redis::send, 5_000);
    for (String route : List.of("catalog", "other")) {
      for (String path : List.of("/items/1", "/items/2", "/users/1")) {
        store.store(key(route, path), entry(path)).await(10, TimeUnit.SECONDS);
      }
    }
    Found found = store.lookup(key("catalog", "/items/1")).await(10, TimeUnit.SECONDS);
    assertEquals(entry("/items/1"), found.entry());

    long deleted = new CachePurger(vertx, options, redis, 5_000).purge("catalog", "/items").await(30, TimeUnit.SECONDS);
    assertEquals(2, deleted);
    assertNull(store.lookup(key("catalog", "/items/1")).await(10, TimeUnit.SECONDS));
    assertNotNull(store.lookup(key("catalog", "/users/1")).await(10, TimeUnit.SECONDS));
    assertNotNull(store.lookup(key("other", "/items/1")).await(10, TimeUnit.SECONDS));
    assertEquals(3, new CachePurger(vertx, options, redis, 5_000).purge("other", null).await(30, TimeUnit.SECONDS),
      "the whole route: its three entries");
  }
}
