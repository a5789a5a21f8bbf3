package dev.sluice.localredis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster of masters only, each a {@link RedisServerProcess} started with
 * {@code --cluster-enabled yes} on a free loopback port (its bus port, +10000, free too), the
 * 16384 slots split into equal ranges over them, set up the way {@code redis-cli --cluster create}
 * does it but over the Redis protocol: {@code CLUSTER ADDSLOTS}, {@code CLUSTER SET-CONFIG-EPOCH},
 * {@code CLUSTER MEET}. {@link #start(int)} returns once every node's {@code CLUSTER INFO} says
 * {@code cluster_state:ok} and knows every other node.
 *
 * <p>Blocking, like {@link RedisServerProcess}: call it from a test's setup or a main thread.
 * {@link #close()} stops the servers it started, and only those.
 */
public final class LocalRedisCluster implements AutoCloseable {
  public static final int SLOTS = 16_384;
  private static final Logger LOG = LoggerFactory.getLogger(LocalRedisCluster.class);
  /** Failure detection is not what these clusters are for; short enough that a test never waits on it. */
  private static final long NODE_TIMEOUT_MS = 5_000;
  /** Gossip converges in a few hundred ms on loopback; this allows a loaded 2-core machine ten times over. */
  private static final long CONVERGE_BOUND_MS = 30_000;

  private final List<RedisServerProcess> masters;

  private LocalRedisCluster(List<RedisServerProcess> masters) {
    this.masters = List.copyOf(masters);
  }

  /**
   * Starts {@code masterCount} (≥ 3, as Redis Cluster requires for failover votes) masters, assigns
   * the slots and joins them.
   *
   * @throws IllegalStateException if a node does not start or the cluster does not become ok in time
   */
  public static LocalRedisCluster start(int masterCount) {
    if (masterCount < 3) {
      throw new IllegalArgumentException("a Redis Cluster needs at least 3 masters, not " + masterCount);
    }
    List<RedisServerProcess> started = new ArrayList<>();
    try {
      for (int i = 0; i < masterCount; i++) {
        started.add(RedisServerProcess.start(RedisServerConfig.clusterNode(NODE_TIMEOUT_MS)));
      }
      LocalRedisCluster cluster = new LocalRedisCluster(started);
      cluster.assignSlots();
      cluster.meet();
      cluster.awaitOk();
      LOG.info("Redis Cluster up: {}", cluster.url());
      return cluster;
    } catch (RuntimeException e) {
      started.forEach(RedisServerProcess::close);
      throw e;
    }
  }

  /** The masters, in slot order: the first serves slots from 0, the last up to 16383. */
  public List<RedisServerProcess> masters() {
    return masters;
  }

  /**
   * {@code redis://127.0.0.1:p1,…,redis://127.0.0.1:pN?type=cluster}: every node as a seed, the
   * hint on the last endpoint, as the README writes it.
   */
  public String url() {
    return masters.stream().map(RedisServerProcess::url).collect(Collectors.joining(",")) + "?type=cluster";
  }

  /** The slot of {@code key}, as the cluster computes it ({@code CLUSTER KEYSLOT}, hash tags included). */
  public int slotOf(String key) {
    return ((Long) RedisCommands.call(masters.get(0).port(), "CLUSTER", "KEYSLOT", key)).intValue();
  }

  /** The master this cluster gave {@code slot} to. */
  public RedisServerProcess masterOf(int slot) {
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("no slot " + slot);
    }
    for (int i = 0; i < masters.size(); i++) {
      if (slot < firstSlot(i + 1)) {
        return masters.get(i);
      }
    }
    throw new IllegalStateException("unreachable: slot " + slot);
  }

  /** The master that holds {@code key}. */
  public RedisServerProcess masterOf(String key) {
    return masterOf(slotOf(key));
  }

  @Override
  public void close() {
    masters.forEach(RedisServerProcess::close);
  }

  private int firstSlot(int master) {
    return (int) ((long) SLOTS * master / masters.size());
  }

  private void assignSlots() {
    for (int i = 0; i < masters.size(); i++) {
      List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
      for (int slot = firstSlot(i); slot < firstSlot(i + 1); slot++) {
        command.add(Integer.toString(slot));
      }
      RedisCommands.call(masters.get(i).port(), command);
      // Distinct epochs before the nodes meet, as redis-cli does: no collision to resolve later.
      RedisCommands.call(masters.get(i).port(), "CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
    }
  }

  private void meet() {
    int first = masters.get(0).port();
    for (RedisServerProcess other : masters.subList(1, masters.size())) {
      RedisCommands.call(first, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(other.port()));
    }
  }

  private void awaitOk() {
    for (RedisServerProcess node : masters) {
      BoundedPoll.until(CONVERGE_BOUND_MS, "cluster_state:ok on port " + node.port(), () -> {
        Map<String, String> info = RedisCommands.infoFields((String) RedisCommands.call(node.port(), "CLUSTER", "INFO"));
        return "ok".equals(info.get("cluster_state"))
            && Integer.toString(masters.size()).equals(info.get("cluster_known_nodes"))
            && Integer.toString(SLOTS).equals(info.get("cluster_slots_ok"));
      });
    }
  }
}
