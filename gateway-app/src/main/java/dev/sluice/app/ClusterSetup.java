package dev.sluice.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import dev.sluice.gateway.ClusterMerges;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Vert.x clustered with Hazelcast from {@code cluster.xml} (the working directory's, else the
 * one bundled in the jar), filled in from the environment:
 * {@code SLUICE_CLUSTER_MEMBERS}, {@code SLUICE_CLUSTER_PORT}, {@code SLUICE_CLUSTER_NAME},
 * {@code SLUICE_CLUSTER_HOST} (the address this node binds and announces) and
 * {@code SLUICE_EVENTBUS_HOST} / {@code SLUICE_EVENTBUS_PORT}.
 *
 * <p>{@code SLUICE_CLUSTER_DISCOVERY} picks how members find each other: {@code tcp} (the
 * default: the members list) or {@code kubernetes}, Hazelcast's own Kubernetes discovery in
 * DNS-lookup mode: the A records of {@code SLUICE_CLUSTER_SERVICE_DNS} (a headless Service's
 * name) are the members, each on {@code SLUICE_CLUSTER_PORT}. DNS mode needs no access to the
 * Kubernetes API, so no RBAC; pods that come and go are found at each join.
 */
final class ClusterSetup {
  static final String CONFIG_FILE = "cluster.xml";

  private final HazelcastClusterManager clusterManager;
  private final VertxOptions options;
  /** Set once Vert.x is up; Hazelcast's listener is registered before (it is part of its config). */
  private final AtomicReference<Vertx> started;

  private ClusterSetup(HazelcastClusterManager clusterManager, VertxOptions options, AtomicReference<Vertx> started) {
    this.clusterManager = clusterManager;
    this.options = options;
    this.started = started;
  }

  static ClusterSetup fromEnvironment(Map<String, String> env) {
    String members = env.getOrDefault("SLUICE_CLUSTER_MEMBERS", "127.0.0.1");
    Properties properties = new Properties();
    properties.setProperty("sluice.cluster.members", members);
    properties.setProperty("sluice.cluster.port", port(env, "SLUICE_CLUSTER_PORT", "5701"));
    properties.setProperty("sluice.cluster.name", env.getOrDefault("SLUICE_CLUSTER_NAME", "sluice"));
    Config hazelcast = load(properties);
    Discovery discovery = Discovery.from(env);
    discovery.apply(hazelcast, env, properties.getProperty("sluice.cluster.port"));
    String host = env.getOrDefault("SLUICE_CLUSTER_HOST",
      discovery == Discovery.TCP && allLoopback(members) ? "127.0.0.1" : null);
    if (host != null) {
      // Bind and announce this address, so members listed as loopback find each other; bound
      // alone (not the wildcard), so that several nodes on one host can share a port on
      // different addresses, as discovery by DNS requires (one port for every member).
      hazelcast.setProperty("hazelcast.local.localAddress", host);
      hazelcast.setProperty("hazelcast.socket.bind.any", "false");
    }
    EventBusOptions eventBus = new EventBusOptions()
      .setPort(Integer.parseInt(port(env, "SLUICE_EVENTBUS_PORT", "0")));
    String eventBusHost = env.getOrDefault("SLUICE_EVENTBUS_HOST", host);
    if (eventBusHost != null) {
      eventBus.setHost(eventBusHost);
    }
    AtomicReference<Vertx> started = new AtomicReference<>();
    // After a split heals (a frozen node resumed, a network came back), Hazelcast has merged the
    // maps by their merge policies, but this node's instances still hold what they knew alone:
    // they reconcile with the cluster (ClusterMerges), the higher version winning.
    hazelcast.addListenerConfig(new ListenerConfig((com.hazelcast.core.LifecycleListener) event -> {
      Vertx vertx = started.get();
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED && vertx != null) {
        ClusterMerges.announce(vertx);
      }
    }));
    return new ClusterSetup(new HazelcastClusterManager(hazelcast), new VertxOptions().setEventBusOptions(eventBus),
      started);
  }

  Vertx start(PrometheusMeterRegistry registry) {
    Vertx vertx = SluiceNode.await(NodeVertx.builder(options, registry).withClusterManager(clusterManager)
      .buildClustered(), "cannot join the cluster");
    started.set(vertx);
    return vertx;
  }

  String nodeId() {
    return clusterManager.getNodeId();
  }

  /** This node's Hazelcast member; call after {@link #start}. */
  HazelcastInstance hazelcast() {
    return clusterManager.getHazelcastInstance();
  }

  /** Live members, kept current by membership events; call after {@link #start}. */
  ClusterMembers members() {
    return ClusterMembers.watch(hazelcast().getCluster());
  }

  private static Config load(Properties properties) {
    Path local = Path.of(CONFIG_FILE);
    try (InputStream xml = Files.isReadable(local) ? Files.newInputStream(local)
      : ClusterSetup.class.getClassLoader().getResourceAsStream(CONFIG_FILE)) {
      if (xml == null) {
        throw new SluiceMain.StartupException("no " + CONFIG_FILE + " in the working directory or the jar");
      }
      return new XmlConfigBuilder(xml).setProperties(properties).build();
    } catch (IOException | RuntimeException e) {
      if (e instanceof SluiceMain.StartupException startup) {
        throw startup;
      }
      throw new SluiceMain.StartupException(CONFIG_FILE + ": " + e.getMessage());
    }
  }

  /** How the members of a cluster find each other ({@code SLUICE_CLUSTER_DISCOVERY}). */
  enum Discovery {
    TCP, KUBERNETES;

    static Discovery from(Map<String, String> env) {
      String value = env.getOrDefault("SLUICE_CLUSTER_DISCOVERY", "tcp").trim();
      return switch (value) {
        case "", "tcp" -> TCP;
        case "kubernetes" -> KUBERNETES;
        default -> throw new UsageException("SLUICE_CLUSTER_DISCOVERY: must be tcp or kubernetes, got '" + value + "'");
      };
    }

    void apply(Config hazelcast, Map<String, String> env, String port) {
      if (this == TCP) {
        return;
      }
      String dns = env.getOrDefault("SLUICE_CLUSTER_SERVICE_DNS", "").trim();
      if (dns.isEmpty()) {
        throw new UsageException("SLUICE_CLUSTER_SERVICE_DNS: required with SLUICE_CLUSTER_DISCOVERY=kubernetes"
          + " (the headless Service's name, e.g. sluice-hazelcast.default.svc.cluster.local)");
      }
      var join = hazelcast.getNetworkConfig().getJoin();
      join.getTcpIpConfig().setEnabled(false);
      join.getMulticastConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", dns)
        .setProperty("service-port", port)
        .setProperty("service-dns-timeout", "5");
    }
  }

  private static String port(Map<String, String> env, String name, String fallback) {
    String value = env.getOrDefault(name, fallback).trim();
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the variable's name
    }
    throw new UsageException(name + ": must be a port number, got '" + value + "'");
  }

  private static boolean allLoopback(String members) {
    return Arrays.stream(members.split(",")).map(String::trim)
      .map(m -> m.contains(":") && !m.startsWith("[") ? m.substring(0, m.lastIndexOf(':')) : m)
      .allMatch(h -> h.equals("localhost") || h.startsWith("127."));
  }
}
