package dev.sluice.localredis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class LocalRedisClusterTest {
  private static final long AWAIT_S = 10;

  @Test
  void threeMastersServeEverySlotAndAClusterClientReachesEachOfThem(Vertx vertx) throws Exception {
    List<RedisServerProcess> nodes;
    try (LocalRedisCluster cluster = LocalRedisCluster.start(3)) {
      nodes = cluster.masters();
      for (RedisServerProcess node : nodes) {
        Map<String, String> info = RedisCommands.infoFields((String) RedisCommands.call(node.port(), "CLUSTER", "INFO"));
        assertEquals("ok", info.get("cluster_state"), "node " + node.port());
        assertEquals("3", info.get("cluster_known_nodes"));
        assertEquals("3", info.get("cluster_size"), "three masters with slots");
      }

      // vertx-redis-client takes one URL per endpoint (the gateway's RedisUrl splits redis.url).
      Redis client = Redis.createClient(vertx, new RedisOptions().setType(RedisClientType.CLUSTER)
          .setEndpoints(nodes.stream().map(RedisServerProcess::url).toList()));
      Set<Integer> mastersWritten = new HashSet<>();
      try {
        for (int i = 0; i < 30; i++) {
          String key = "k" + i;
          await(client.send(Request.cmd(Command.SET).arg(key).arg(i)));
          RedisServerProcess owner = cluster.masterOf(key);
          // Read back from the owner alone, without the cluster client: the key really lives there.
          assertEquals(Integer.toString(i), RedisCommands.call(owner.port(), "GET", key));
          mastersWritten.add(owner.port());
        }
      } finally {
        await(client.close());
      }
      assertEquals(3, mastersWritten.size(), "thirty keys land on all three masters");
    }
    for (RedisServerProcess node : nodes) {
      assertFalse(node.isRunning());
    }
  }

  @Test
  void slotsAreSplitInEqualRanges() {
    try (LocalRedisCluster cluster = LocalRedisCluster.start(3)) {
      assertEquals(cluster.masters().get(0), cluster.masterOf(0));
      assertEquals(cluster.masters().get(1), cluster.masterOf(5461));
      assertEquals(cluster.masters().get(2), cluster.masterOf(16_383));
      // A hash tag puts two keys in one slot.
      assertEquals(cluster.slotOf("{user:1}:a"), cluster.slotOf("{user:1}:b"));
      assertTrue(cluster.url().endsWith("?type=cluster"), cluster.url());
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(AWAIT_S, TimeUnit.SECONDS);
  }
}
