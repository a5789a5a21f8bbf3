package dev.sluice.localredis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis master, one replica and Sentinels watching them ({@code redis-server <conf>
 * --sentinel}), each a {@link RedisServerProcess} on a free loopback port, with short failure
 * detection ({@value #DOWN_AFTER_MS} ms) so a test sees a failover within seconds.
 * {@link #start(int)} returns once the replica is in sync and every Sentinel knows the replica
 * (and the other Sentinels): a failover can happen from then on.
 *
 * <p>Blocking, like {@link RedisServerProcess}: call it from a test's setup or a main thread.
 * {@link #close()} stops the servers it started, and only those.
 */
public final class LocalSentinelSet implements AutoCloseable {
  public static final String MASTER_NAME = "mymaster";
  /**
   * A master that does not answer for this long is down. Short for tests, yet far above what a
   * loaded machine makes Redis wait to answer a PING: no failover before a test asks for one.
   */
  static final long DOWN_AFTER_MS = 1_000;
  static final long FAILOVER_TIMEOUT_MS = 5_000;
  private static final Logger LOG = LoggerFactory.getLogger(LocalSentinelSet.class);
  /** Sync and discovery take well under a second on loopback; ten times over on a loaded machine, and more. */
  private static final long SETTLE_BOUND_MS = 20_000;

  private final RedisServerProcess initialMaster;
  private final RedisServerProcess initialReplica;
  private final List<RedisServerProcess> sentinels;

  private LocalSentinelSet(RedisServerProcess master, RedisServerProcess replica, List<RedisServerProcess> sentinels) {
    this.initialMaster = master;
    this.initialReplica = replica;
    this.sentinels = List.copyOf(sentinels);
  }

  /**
   * Starts a master, a replica of it and {@code sentinelCount} Sentinels (quorum: a majority of them).
   *
   * @throws IllegalStateException if a server does not start or the set does not settle in time
   */
  public static LocalSentinelSet start(int sentinelCount) {
    if (sentinelCount < 1) {
      throw new IllegalArgumentException("at least one Sentinel, not " + sentinelCount);
    }
    List<RedisServerProcess> started = new ArrayList<>();
    try {
      RedisServerProcess master = RedisServerProcess.start(RedisServerConfig.masterOfReplicas());
      started.add(master);
      RedisServerProcess replica = RedisServerProcess.start(RedisServerConfig.replicaOf(master.port()));
      started.add(replica);
      awaitInSync(master, replica);
      // Sentinels start after the sync: a Sentinel learns replicas from the master's INFO, which it
      // asks at once and then only every 10 s.
      String config = sentinelConfig(master.port(), sentinelCount / 2 + 1);
      List<RedisServerProcess> sentinels = new ArrayList<>();
      for (int i = 0; i < sentinelCount; i++) {
        RedisServerProcess sentinel = RedisServerProcess.start(RedisServerConfig.sentinel(config));
        started.add(sentinel);
        sentinels.add(sentinel);
      }
      LocalSentinelSet set = new LocalSentinelSet(master, replica, sentinels);
      set.awaitSentinelsKnowEverything();
      LOG.info("Redis master {}, replica {}, Sentinels {}", master.url(), replica.url(), set.url());
      return set;
    } catch (RuntimeException e) {
      started.forEach(RedisServerProcess::close);
      throw e;
    }
  }

  /**
   * {@code redis://127.0.0.1:s1,…?type=sentinel&master=mymaster}: every Sentinel, the hints on the
   * last endpoint, as the README writes it.
   */
  public String url() {
    return sentinels.stream().map(RedisServerProcess::url).collect(Collectors.joining(","))
        + "?type=sentinel&master=" + MASTER_NAME;
  }

  /** The master the set started with (after a failover, {@link #currentMaster()} may be another). */
  public RedisServerProcess initialMaster() {
    return initialMaster;
  }

  public RedisServerProcess initialReplica() {
    return initialReplica;
  }

  public List<RedisServerProcess> sentinels() {
    return sentinels;
  }

  /** The server the first Sentinel names as master now ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}). */
  public RedisServerProcess currentMaster() {
    int port = masterPortSeenBy(sentinels.get(0));
    return Stream.of(initialMaster, initialReplica).filter(server -> server.port() == port).findFirst()
        .orElseThrow(() -> new IllegalStateException("Sentinel names an unknown master on port " + port));
  }

  /**
   * Waits until every Sentinel names a master other than {@code formerMaster} and that server
   * says it is a master ({@code INFO replication}): the failover is over and clients asking a Sentinel are
   * sent to a server that takes writes.
   *
   * @return the new master
   * @throws IllegalStateException if that does not happen within {@code boundMs}
   */
  public RedisServerProcess awaitFailoverFrom(RedisServerProcess formerMaster, long boundMs) {
    BoundedPoll.until(boundMs, "Sentinels promote a replica of port " + formerMaster.port(), () -> {
      for (RedisServerProcess sentinel : sentinels) {
        if (masterPortSeenBy(sentinel) == formerMaster.port()) {
          return false;
        }
      }
      return isMaster(currentMaster());
    });
    RedisServerProcess promoted = currentMaster();
    LOG.info("Sentinels failed over from port {} to port {}", formerMaster.port(), promoted.port());
    return promoted;
  }

  @Override
  public void close() {
    // Sentinels first: with the data servers stopping, they would otherwise start a failover.
    sentinels.forEach(RedisServerProcess::close);
    initialReplica.close();
    initialMaster.close();
  }

  private static String sentinelConfig(int masterPort, int quorum) {
    return String.join("\n",
        "bind 127.0.0.1",
        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " " + quorum,
        "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
        "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MS,
        "sentinel parallel-syncs " + MASTER_NAME + " 1",
        "");
  }

  /**
   * In sync from both ends: the replica's link is up, and the master lists it online. The
   * replica's side alone was seen "up" while the master listed no replica yet, and a write made
   * then reached the replica only later.
   */
  private static void awaitInSync(RedisServerProcess master, RedisServerProcess replica) {
    BoundedPoll.until(SETTLE_BOUND_MS, "replica on port " + replica.port() + " in sync", () ->
        "up".equals(replication(replica).get("master_link_status"))
            && replication(master).getOrDefault("slave0", "").contains("port=" + replica.port() + ",state=online"));
  }

  private void awaitSentinelsKnowEverything() {
    String otherSentinels = Integer.toString(sentinels.size() - 1);
    for (RedisServerProcess sentinel : sentinels) {
      BoundedPoll.until(SETTLE_BOUND_MS, "Sentinel on port " + sentinel.port() + " knows the replica and its peers", () -> {
        Map<String, String> master = RedisCommands.pairs(RedisCommands.call(sentinel.port(), "SENTINEL", "MASTER", MASTER_NAME));
        return "1".equals(master.get("num-slaves")) && otherSentinels.equals(master.get("num-other-sentinels"))
            && "master".equals(master.get("flags"));
      });
    }
  }

  private static int masterPortSeenBy(RedisServerProcess sentinel) {
    List<?> address = (List<?>) RedisCommands.call(sentinel.port(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
    return Integer.parseInt((String) address.get(1));
  }

  private static boolean isMaster(RedisServerProcess server) {
    return server.isRunning() && "master".equals(replication(server).get("role"));
  }

  private static Map<String, String> replication(RedisServerProcess server) {
    return RedisCommands.infoFields((String) RedisCommands.call(server.port(), "INFO", "replication"));
  }
}
