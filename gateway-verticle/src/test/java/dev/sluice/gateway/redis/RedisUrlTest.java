package dev.sluice.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisUrlTest {

  @Test
  void aSingleUrlIsAStandaloneServer() {
    RedisOptions options = RedisUrl.toClientOptions("redis://127.0.0.1:6379");
    assertEquals(RedisClientType.STANDALONE, options.getType());
    assertEquals(List.of("redis://127.0.0.1:6379"), options.getEndpoints());
    assertEquals(RedisUrl.MAX_POOL_WAITING, options.getMaxPoolWaiting());
    assertEquals(RedisUrl.CONNECT_TIMEOUT_MS, options.getNetClientOptions().getConnectTimeout());
    assertTrue(options.getNetClientOptions().isTcpNoDelay());
  }

  @Test
  void seedNodesWithTypeClusterAreACluster() {
    RedisOptions options = RedisUrl.toClientOptions("redis://n1:7000?type=cluster, redis://n2:7000");
    assertEquals(RedisClientType.CLUSTER, options.getType());
    assertEquals(List.of("redis://n1:7000?type=cluster", "redis://n2:7000"), options.getEndpoints());
  }

  @Test
  void sentinelsConnectToTheNamedMaster() {
    RedisOptions options = RedisUrl.toClientOptions("redis://s1:26379?type=sentinel&master=gw,redis://s2:26379");
    assertEquals(RedisClientType.SENTINEL, options.getType());
    assertEquals("gw", options.getMasterName());
    assertEquals(RedisRole.MASTER, options.getRole());
  }

  @Test
  void theTypeHintMayStandOnAnyEndpointAsTheReadmeWritesIt() {
    RedisOptions options = RedisUrl.toClientOptions("redis://n1:7000,redis://n2:7000?type=cluster");
    assertEquals(RedisClientType.CLUSTER, options.getType());
    RedisOptions sentinel = RedisUrl.toClientOptions("redis://s1:26379,redis://s2:26379,redis://s3:26379?type=sentinel&master=gw");
    assertEquals(RedisClientType.SENTINEL, sentinel.getType());
    assertEquals("gw", sentinel.getMasterName());
  }

  @Test
  void endpointsThatDisagreeOnTheTypeAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RedisUrl.toClientOptions("redis://a:1?type=cluster,redis://b:1?type=sentinel"));
    assertTrue(e.getMessage().startsWith("redis.url: endpoints disagree on ?type="), e.getMessage());
  }

  @Test
  void badUrlsAreNamedInTheMessage() {
    assertThrows(IllegalArgumentException.class, () -> RedisUrl.toClientOptions(" "));
    IllegalArgumentException several = assertThrows(IllegalArgumentException.class,
        () -> RedisUrl.toClientOptions("redis://a:1,redis://b:2"));
    assertTrue(several.getMessage().startsWith("redis.url: "), several.getMessage());
    IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
        () -> RedisUrl.toClientOptions("redis://a:1?type=mesh"));
    assertTrue(type.getMessage().contains("mesh"), type.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RedisUrl.toClientOptions("http://a:1"));
  }
}
