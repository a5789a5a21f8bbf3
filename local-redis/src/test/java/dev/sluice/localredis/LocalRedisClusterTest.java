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
  /** Detection (node timeout 2 s) plus an election take seconds; this is many times over. */
  private static final long FAILOVER_BOUND_MS = 30_000;

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
  void slotsAreSplitInEqualRangesAndACrashedMastersReplicaTakesOverItsSlots() {
    try (LocalRedisCluster cluster = LocalRedisCluster.start(3, 1)) {
      List<RedisServerProcess> masters = cluster.masters();
      assertEquals(6, cluster.nodes().size());
      assertEquals(masters.get(0), cluster.masterOf(0));
      assertEquals(masters.get(1), cluster.masterOf(5461));
      assertEquals(masters.get(2), cluster.masterOf(16_383));
      // A hash tag puts two keys in one slot.
      assertEquals(cluster.slotOf("{user:1}:a"), cluster.slotOf("{user:1}:b"));
      assertTrue(cluster.url().endsWith("?type=cluster"), cluster.url());

      RedisServerProcess first = masters.get(0);
      String key = keyOn(cluster, first);
      assertEquals("OK", RedisCommands.call(first.port(), "SET", key, "before"));
      assertEquals(1L, RedisCommands.call(first.port(), "WAIT", "1", "5000"), "replicated before the crash");

      first.crash();
      RedisServerProcess promoted = cluster.awaitFailoverFrom(first, FAILOVER_BOUND_MS);

      assertEquals(cluster.replicasOf(first), List.of(promoted));
      assertEquals(promoted, cluster.masterOf(0));
      assertEquals(List.of(promoted, masters.get(1), masters.get(2)), cluster.masters());
      assertEquals("before", RedisCommands.call(promoted.port(), "GET", key));
    }
  }

  private static String keyOn(LocalRedisCluster cluster, RedisServerProcess master) {
    for (int i = 0; i < 100; i++) {
      if (cluster.masterOf("k" + i).equals(master)) {
        return "k" + i;
      }
    }
    throw new AssertionError("none of 100 keys on port " + master.port());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(AWAIT_S, TimeUnit.SECONDS);
  }
}
