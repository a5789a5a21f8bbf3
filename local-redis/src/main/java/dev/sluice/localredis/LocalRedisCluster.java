package dev.sluice.localredis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster: masters, optionally replicas, each a {@link RedisServerProcess} started
 * with {@code --cluster-enabled yes} on a free loopback port (its bus port, +10000, free too), the
 * 16384 slots split into equal ranges over the masters. Set up the way
 * {@code redis-cli --cluster create} does it, but over the Redis protocol: {@code CLUSTER ADDSLOTS},
 * {@code CLUSTER SET-CONFIG-EPOCH}, {@code CLUSTER MEET}, {@code CLUSTER REPLICATE}.
 * {@link #start(int, int)} returns once every node's {@code CLUSTER INFO} says
 * {@code cluster_state:ok} and knows every other node, and every replica is in sync.
 *
 * <p>Which node serves a slot is read from the cluster ({@code CLUSTER SLOTS}), so it stays right
 * after a failover. Blocking, like {@link RedisServerProcess}: call it from a test's setup or a
 * main thread. {@link #close()} stops the servers it started, and only those.
 */
public final class LocalRedisCluster implements AutoCloseable {
  public static final int SLOTS = 16_384;
  private static final Logger LOG = LoggerFactory.getLogger(LocalRedisCluster.class);
  /**
   * A node silent this long is failing and its replica takes over: short so a test sees a failover
   * within seconds, long against how late a loaded machine lets Redis answer a ping.
   */
  static final long NODE_TIMEOUT_MS = 2_000;
  /** Gossip converges in a few hundred ms on loopback; this allows a loaded 2-core machine ten times over. */
  private static final long CONVERGE_BOUND_MS = 30_000;

  private final List<RedisServerProcess> initialMasters;
  /** Each initial master's replicas, as started. */
  private final Map<RedisServerProcess, List<RedisServerProcess>> replicas;

  private LocalRedisCluster(List<RedisServerProcess> masters, Map<RedisServerProcess, List<RedisServerProcess>> replicas) {
    this.initialMasters = List.copyOf(masters);
    this.replicas = replicas;
  }

  /** {@code masterCount} masters, no replicas: see {@link #start(int, int)}. */
  public static LocalRedisCluster start(int masterCount) {
    return start(masterCount, 0);
  }

  /**
   * Starts {@code masterCount} (≥ 3, so a majority of masters is left to vote a failover) masters,
   * each with {@code replicasPerMaster} replicas, assigns the slots and joins them.
   *
   * @throws IllegalStateException if a node does not start or the cluster does not become ok in time
   */
  public static LocalRedisCluster start(int masterCount, int replicasPerMaster) {
    if (masterCount < 3) {
      throw new IllegalArgumentException("a Redis Cluster needs at least 3 masters, not " + masterCount);
    }
    List<RedisServerProcess> started = new ArrayList<>();
    try {
      List<RedisServerProcess> masters = new ArrayList<>();
      Map<RedisServerProcess, List<RedisServerProcess>> replicas = new LinkedHashMap<>();
      for (int i = 0; i < masterCount; i++) {
        RedisServerProcess master = startNode(started);
        masters.add(master);
        replicas.put(master, new ArrayList<>());
      }
      for (RedisServerProcess master : masters) {
        for (int r = 0; r < replicasPerMaster; r++) {
          replicas.get(master).add(startNode(started));
        }
      }
      LocalRedisCluster cluster = new LocalRedisCluster(masters, replicas);
      cluster.assignSlots();
      cluster.meet();
      cluster.attachReplicas();
      cluster.awaitOk();
      LOG.info("Redis Cluster up: {}", cluster.url());
      return cluster;
    } catch (RuntimeException e) {
      started.forEach(RedisServerProcess::close);
      throw e;
    }
  }

  /** Every node started, masters first. */
  public List<RedisServerProcess> nodes() {
    List<RedisServerProcess> nodes = new ArrayList<>(initialMasters);
    replicas.values().forEach(nodes::addAll);
    return nodes;
  }

  /** The nodes serving slots now, in slot order: the first serves slots from 0. */
  public List<RedisServerProcess> masters() {
    return slotRanges().stream().map(SlotRange::masterPort).distinct().map(this::nodeOnPort).toList();
  }

  /** The replicas started for {@code master} (one of the masters this cluster started with). */
  public List<RedisServerProcess> replicasOf(RedisServerProcess master) {
    return List.copyOf(replicas.getOrDefault(master, List.of()));
  }

  /**
   * {@code redis://127.0.0.1:p1,…,redis://127.0.0.1:pN?type=cluster}: every master as a seed, the
   * hint on the last endpoint, as the README writes it.
   */
  public String url() {
    return initialMasters.stream().map(RedisServerProcess::url).collect(Collectors.joining(",")) + "?type=cluster";
  }

  /** The slot of {@code key}, as the cluster computes it ({@code CLUSTER KEYSLOT}, hash tags included). */
  public int slotOf(String key) {
    return ((Long) RedisCommands.call(anyRunningNode().port(), "CLUSTER", "KEYSLOT", key)).intValue();
  }

  /** The master serving {@code slot} now, as the cluster says ({@code CLUSTER SLOTS}). */
  public RedisServerProcess masterOf(int slot) {
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("no slot " + slot);
    }
    return slotRanges().stream().filter(range -> range.start() <= slot && slot <= range.end())
        .findFirst().map(range -> nodeOnPort(range.masterPort()))
        .orElseThrow(() -> new IllegalStateException("no node serves slot " + slot));
  }

  /** The master that holds {@code key} now. */
  public RedisServerProcess masterOf(String key) {
    return masterOf(slotOf(key));
  }

  /**
   * Waits until a replica of {@code formerMaster} (crashed, say) has taken over its slots: every
   * running node says {@code cluster_state:ok} and none names {@code formerMaster} as serving a slot.
   *
   * @return the promoted replica
   * @throws IllegalStateException if that does not happen within {@code boundMs}
   */
  public RedisServerProcess awaitFailoverFrom(RedisServerProcess formerMaster, long boundMs) {
    List<RedisServerProcess> candidates = replicasOf(formerMaster);
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("port " + formerMaster.port() + " has no replica to fail over to");
    }
    BoundedPoll.until(boundMs, "a replica of port " + formerMaster.port() + " serves its slots", () -> {
      for (RedisServerProcess node : nodes()) {
        if (node.isRunning() && (!isOk(node) || servesSlots(node, formerMaster))) {
          return false;
        }
      }
      return true;
    });
    List<RedisServerProcess> masters = masters();
    RedisServerProcess promoted = candidates.stream().filter(masters::contains).findFirst()
        .orElseThrow(() -> new IllegalStateException("slots of port " + formerMaster.port() + " went to no replica of it"));
    LOG.info("Redis Cluster failed over from port {} to port {}", formerMaster.port(), promoted.port());
    return promoted;
  }

  @Override
  public void close() {
    nodes().forEach(RedisServerProcess::close);
  }

  private static RedisServerProcess startNode(List<RedisServerProcess> started) {
    RedisServerProcess node = RedisServerProcess.start(RedisServerConfig.clusterNode(NODE_TIMEOUT_MS));
    started.add(node);
    return node;
  }

  private int firstSlot(int master) {
    return (int) ((long) SLOTS * master / initialMasters.size());
  }

  private void assignSlots() {
    for (int i = 0; i < initialMasters.size(); i++) {
      List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
      for (int slot = firstSlot(i); slot < firstSlot(i + 1); slot++) {
        command.add(Integer.toString(slot));
      }
      RedisCommands.call(initialMasters.get(i).port(), command);
    }
    // Distinct epochs before the nodes meet, as redis-cli does: no collision to resolve later.
    List<RedisServerProcess> nodes = nodes();
    for (int i = 0; i < nodes.size(); i++) {
      RedisCommands.call(nodes.get(i).port(), "CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
    }
  }

  private void meet() {
    List<RedisServerProcess> nodes = nodes();
    int first = nodes.get(0).port();
    for (RedisServerProcess other : nodes.subList(1, nodes.size())) {
      RedisCommands.call(first, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(other.port()));
    }
  }

  private void attachReplicas() {
    replicas.forEach((master, ofMaster) -> {
      String masterId = (String) RedisCommands.call(master.port(), "CLUSTER", "MYID");
      for (RedisServerProcess replica : ofMaster) {
        // Refused until the replica has learned of the master through gossip.
        BoundedPoll.until(CONVERGE_BOUND_MS, "port " + replica.port() + " replicates port " + master.port(),
            () -> "OK".equals(RedisCommands.call(replica.port(), "CLUSTER", "REPLICATE", masterId)));
      }
    });
  }

  private void awaitOk() {
    String known = Integer.toString(nodes().size());
    for (RedisServerProcess node : nodes()) {
      BoundedPoll.until(CONVERGE_BOUND_MS, "cluster_state:ok on port " + node.port(), () -> {
        Map<String, String> info = clusterInfo(node);
        return isOk(node) && known.equals(info.get("cluster_known_nodes"));
      });
    }
    replicas.values().stream().flatMap(List::stream).forEach(replica ->
        BoundedPoll.until(CONVERGE_BOUND_MS, "replica on port " + replica.port() + " in sync", () ->
            "up".equals(RedisCommands.infoFields((String) RedisCommands.call(replica.port(), "INFO", "replication"))
                .get("master_link_status"))));
  }

  private static boolean isOk(RedisServerProcess node) {
    Map<String, String> info = clusterInfo(node);
    return "ok".equals(info.get("cluster_state")) && Integer.toString(SLOTS).equals(info.get("cluster_slots_ok"));
  }

  private static Map<String, String> clusterInfo(RedisServerProcess node) {
    return RedisCommands.infoFields((String) RedisCommands.call(node.port(), "CLUSTER", "INFO"));
  }

  private static boolean servesSlots(RedisServerProcess asked, RedisServerProcess master) {
    return slotRanges(asked).stream().anyMatch(range -> range.masterPort() == master.port());
  }

  /** One line of {@code CLUSTER SLOTS}: a range and the port of the master serving it. */
  private record SlotRange(int start, int end, int masterPort) {
  }

  private List<SlotRange> slotRanges() {
    return slotRanges(anyRunningNode());
  }

  private static List<SlotRange> slotRanges(RedisServerProcess asked) {
    List<SlotRange> ranges = new ArrayList<>();
    for (Object line : (List<?>) RedisCommands.call(asked.port(), "CLUSTER", "SLOTS")) {
      List<?> range = (List<?>) line;
      List<?> master = (List<?>) range.get(2);
      ranges.add(new SlotRange(((Long) range.get(0)).intValue(), ((Long) range.get(1)).intValue(),
          ((Long) master.get(1)).intValue()));
    }
    ranges.sort((a, b) -> Integer.compare(a.start(), b.start()));
    return ranges;
  }

  private RedisServerProcess anyRunningNode() {
    return nodes().stream().filter(RedisServerProcess::isRunning).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node of the cluster is running"));
  }

  private RedisServerProcess nodeOnPort(int port) {
    return nodes().stream().filter(node -> node.port() == port).findFirst()
        .orElseThrow(() -> new IllegalStateException("the cluster names port " + port + ", not one of its nodes"));
  }
}
