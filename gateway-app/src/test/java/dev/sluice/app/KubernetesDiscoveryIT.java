package dev.sluice.app;

import dev.sluice.app.GatewayNodes.Node;
import io.vertx.core.json.JsonObject;
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

  // Standalone to the fixture: the nodes find each other by the Service's name, not a members list.
  @RegisterExtension
  static final GatewayNodes pods = GatewayNodes.standalone().admin(ClusterIT.TOKEN).instances(1);
  static final List<Node> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path hosts = pods.dir().resolve("hosts");
    Files.writeString(hosts, String.join("\n", "127.0.0.1 localhost",
      "127.0.0.1 " + SERVICE_DNS, "127.0.0.2 " + SERVICE_DNS, "127.0.0.3 " + SERVICE_DNS, ""));
    int hazelcastPort = SluiceJarIT.freePort();
    String cluster = "sluice-k8s-it-" + UUID.randomUUID();
    for (int i = 1; i <= 3; i++) {
      nodes.add(startNode(i, hosts, hazelcastPort, cluster));
    }
  }

  static Node startNode(int n, Path hosts, int hazelcastPort, String cluster) throws Exception {
    GatewayNodes.NodeOptions options = pods.options()
      .withJvmOptions("-Djdk.net.hosts.file=" + hosts)
      .withArgs("--cluster")
      .withEnv("SLUICE_CLUSTER_DISCOVERY", "kubernetes")
      .withEnv("SLUICE_CLUSTER_SERVICE_DNS", SERVICE_DNS)
      .withEnv("SLUICE_CLUSTER_NAME", cluster)
      .withEnv("SLUICE_CLUSTER_PORT", String.valueOf(hazelcastPort))
      // The pod's own address, as the downward API's status.podIP would give it.
      .withEnv("SLUICE_CLUSTER_HOST", "127.0.0." + n);
    return pods.start("pod-" + n, options,
      "redis: { url: \"" + pods.redisUrl() + "\", timeoutMs: 2000 }",
      "defaults: { retry: { maxAttempts: 1 } }",
      "routes:",
      ClusterIT.route("shared", pods.mockUrl(), 3, 60_000, 3000));
  }

  @Test
  void threePodsFoundByTheServicesNameFormOneClusterAndShareACircuitTrip() throws Exception {
    for (Node node : nodes) {
      ClusterIT.eventually(30, "three members seen from :" + node.adminPort(), () ->
        new JsonObject(node.admin("GET", "/__health", null).body()).getJsonObject("checks")
          .getJsonObject("cluster").getInteger("members") == 3);
    }
    // One failure through each pod: only the cluster's sum reaches the threshold of 3.
    for (Node node : nodes) {
      assertEquals(500, node.status("/shared/status/500"));
    }
    for (Node node : nodes) {
      ClusterIT.eventually(10, "the shared trip refuses on :" + node.port(), () -> ClusterIT.isOpen(node, "shared"));
    }
    JsonObject route = ClusterIT.circuitRoute(nodes.get(0), "shared");
    assertEquals("OPEN", route.getString("state"), route.encodePrettily());
    assertEquals("CLUSTER", route.getString("scope"), route.encodePrettily());
  }
}
