package dev.sluice.localredis;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What kind of {@code redis-server} a {@link RedisServerProcess} runs, beyond what every one of
 * them gets (a loopback port, no persistence, a private working directory).
 *
 * @param configFile text of a config file written into the server's working directory and named
 *   first on its command line; required by Sentinel, which rewrites it as it learns the topology
 * @param arguments  appended to the command line, e.g. {@code --cluster-enabled yes}
 * @param clusterBus whether the server also listens on port + {@value #CLUSTER_BUS_OFFSET} (the
 *   Redis Cluster bus), so that port must be free too: Redis 6.2 has no {@code cluster-port}
 */
public record RedisServerConfig(Optional<String> configFile, List<String> arguments, boolean clusterBus) {
  /** Redis Cluster's bus listens on the client port plus this, on every version we run. */
  public static final int CLUSTER_BUS_OFFSET = 10_000;

  public RedisServerConfig {
    Objects.requireNonNull(configFile, "configFile");
    arguments = List.copyOf(arguments);
  }

  /** A plain server: what {@link RedisServerProcess#start()} runs. */
  public static RedisServerConfig standalone() {
    return new RedisServerConfig(Optional.empty(), List.of(), false);
  }

  /**
   * A Redis Cluster node with no slots and no peers yet ({@link LocalRedisCluster} assigns,
   * meets and pairs them). It announces 127.0.0.1, so {@code CLUSTER SLOTS} names an address clients can
   * reach whichever node they ask.
   */
  public static RedisServerConfig clusterNode(long nodeTimeoutMs) {
    return new RedisServerConfig(Optional.empty(), List.of(
        "--cluster-enabled", "yes",
        "--cluster-config-file", "nodes.conf", // relative to the server's own working directory
        "--cluster-node-timeout", Long.toString(nodeTimeoutMs),
        "--cluster-announce-ip", "127.0.0.1",
        // A replica syncs over the socket (nothing on disk) and at once (see masterOfReplicas()).
        "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"), true);
  }

  /**
   * A plain server that replicas will sync from: over the socket (nothing on disk, as for every
   * server here) and at once. Redis 7 syncs diskless by default but waits 5 s for more replicas
   * to share the transfer; 6.2 writes an RDB file first.
   */
  public static RedisServerConfig masterOfReplicas() {
    return new RedisServerConfig(Optional.empty(),
        List.of("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"), false);
  }

  /** A replica of the server on {@code masterPort} (127.0.0.1). */
  public static RedisServerConfig replicaOf(int masterPort) {
    return new RedisServerConfig(Optional.empty(),
        List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)), false);
  }

  /** A Sentinel ({@code redis-server <conf> --sentinel}) with this config file's text. */
  public static RedisServerConfig sentinel(String configFile) {
    return new RedisServerConfig(Optional.of(configFile), List.of("--sentinel"), false);
  }
}
