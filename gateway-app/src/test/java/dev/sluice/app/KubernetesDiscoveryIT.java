package dev.sluice.app;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three gateway JVMs that find each other the way pods do behind a headless Service:
 * {@code SLUICE_CLUSTER_DISCOVERY=kubernetes}, Hazelcast's Kubernetes discovery in DNS-lookup
 * mode, the Service's name resolving to one address per pod. Here the "pods" are 127.0.0.1,
 * .2 and .3 on one Hazelcast port, and the name resolves through a hosts file the JVMs are given
 * ({@code jdk.net.hosts.file}), the JDK's own resolver: no DNS server, nothing in /etc touched.
 */
class KubernetesDiscoveryIT {
  static final String SERVICE_DNS = "sluice-hazelcast.sluice.svc.cluster.local";

  @RegisterExtension
  static final UpstreamWithRedis parts = new UpstreamWithRedis();
  static Path dir;
  static final List<ClusterIT.Node> nodes = new ArrayList<>();
  static final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("sluice-k8s-discovery-it");
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, String.join("\n", "127.0.0.1 localhost",
      "127.0.0.1 " + SERVICE_DNS, "127.0.0.2 " + SERVICE_DNS, "127.0.0.3 " + SERVICE_DNS, ""));
    int hazelcastPort = SluiceJarIT.freePort();
    String cluster = "sluice-k8s-it-" + UUID.randomUUID();
    for (int i = 1; i <= 3; i++) {
      nodes.add(startNode(i, hosts, hazelcastPort, cluster));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly();
      process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
    }
    System.out.println("node logs: " + dir);
  }

  static ClusterIT.Node startNode(int n, Path hosts, int hazelcastPort, String cluster) throws Exception {
    int port = SluiceJarIT.freePort();
    int adminPort = SluiceJarIT.freePort();
    Path config = dir.resolve("pod-" + n + ".yaml");
    Files.writeString(config, String.join("\n",
      "http: { host: 127.0.0.1, port: " + port + " }",
      "admin: { host: 127.0.0.1, port: " + adminPort + ", token: " + ClusterIT.TOKEN + " }",
      "redis: { url: \"" + parts.redis.url() + "\", timeoutMs: 2000 }",
      "defaults: { retry: { maxAttempts: 1 } }",
      "routes:",
      ClusterIT.route("shared", "http://127.0.0.1:" + parts.mockPort, 3, 60_000, 3000),
      ""));
    ProcessBuilder jar = SluiceJarIT.sluice(List.of("-Djdk.net.hosts.file=" + hosts),
      "run", "--config", config.toString(), "--cluster", "--instances", "1");
    jar.environment().put("SLUICE_CLUSTER_DISCOVERY", "kubernetes");
    jar.environment().put("SLUICE_CLUSTER_SERVICE_DNS", SERVICE_DNS);
    jar.environment().put("SLUICE_CLUSTER_NAME", cluster);
    jar.environment().put("SLUICE_CLUSTER_PORT", String.valueOf(hazelcastPort));
    // The pod's own address, as the downward API's status.podIP would give it.
    jar.environment().put("SLUICE_CLUSTER_HOST", "127.0.0." + n);
    Path log = dir.resolve("pod-" + n + ".log");
    LoopbackCluster.Member member = new LoopbackCluster.Member("pod-" + n, NodeJvm.start(jar, log), log);
    processes.add(member.process());
    member.awaitListeningOrFail(LoopbackCluster.START_TIMEOUT_MS);
    return new ClusterIT.Node(member.process(), port, adminPort);
  }

  @Test
  void threePodsFoundByTheServicesNameFormOneClusterAndShareACircuitTrip() throws Exception {
    for (ClusterIT.Node node : nodes) {
      ClusterIT.eventually(30, "three members seen from :" + node.adminPort(), () ->
        new JsonObject(node.admin("GET", "/__health", null).body()).getJsonObject("checks")
          .getJsonObject("cluster").getInteger("members") == 3);
    }
    // One failure through each pod: only the cluster's sum reaches the threshold of 3.
    for (ClusterIT.Node node : nodes) {
      assertEquals(500, node.status("/shared/status/500"));
    }
    for (ClusterIT.Node node : nodes) {
      ClusterIT.eventually(10, "the shared trip refuses on :" + node.port(), () -> ClusterIT.isOpen(node, "shared"));
    }
    JsonObject route = ClusterIT.circuitRoute(nodes.get(0), "shared");
    assertEquals("OPEN", route.getString("state"), route.encodePrettily());
    assertEquals("CLUSTER", route.getString("scope"), route.encodePrettily());
  }
}
