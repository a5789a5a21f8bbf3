package dev.sluice.app;

import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import dev.sluice.gateway.upstream.HealthChecks;
import dev.sluice.gateway.upstream.HealthOptions;
import dev.sluice.gateway.upstream.TargetSync;
import dev.sluice.gateway.upstream.UpstreamTargets;
import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real Hazelcast members in one JVM (each a clustered Vert.x from the project's cluster.xml, as
 * {@code sluice.jar run --cluster} builds it), each with several gateway instances' health
 * checks, in front of a real upstream-mock that counts the checks by their {@code X-Request-Id}
 * (one per checking instance). The claim: one checker per target in the whole cluster, also
 * with several instances per node and after two clusters that each had their own checker merge.
 */
class OneHealthCheckerPerTargetTest {
  static final String ROUTE = "checked";
  static final HealthOptions HEALTH = new HealthOptions(true, "/health", 100, 1000, 3, 2);
  /** Checks per sample: a few dozen intervals, so a second checker cannot hide in a sample. */
  static final int CHECKS_PER_SAMPLE = 30;

  Vertx plain;
  int mockPort;
  final String cluster = "sluice-checker-test-" + UUID.randomUUID();
  final List<Vertx> nodes = new ArrayList<>();

  @BeforeEach
  void startUpstream() {
    plain = Vertx.vertx();
    UpstreamMockVerticle mock = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
    plain.deployVerticle(mock).await();
    mockPort = mock.actualPort();
  }

  @AfterEach
  void stop() {
    nodes.forEach(node -> node.close().await());
    plain.close().await();
  }

  @Test
  void twoNodesWithSeveralInstancesEachHaveOneCheckerBetweenThem() throws Exception {
    int portA = SluiceJarIT.freePort();
    int portB = SluiceJarIT.freePort();
    String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    startNode("a", portA, members, 3);
    startNode("b", portB, members, 3);
    for (int sample = 0; sample < 3; sample++) {
      Set<String> checkers = checkers();
      assertEquals(1, checkers.size(), "six instances on two nodes, one checker (sample " + sample + "): " + checkers);
    }
  }

  @Test
  void twoClustersThatMergeKeepOneChecker() throws Exception {
    int portA = SluiceJarIT.freePort();
    int portB = SluiceJarIT.freePort();
    // Each knows only itself: two clusters of the same name, as the two sides of a split.
    ClusterSetup a = startNode("a", portA, "127.0.0.1:" + portA, 2);
    ClusterSetup b = startNode("b", portB, "127.0.0.1:" + portB, 2);
    Set<String> apart = checkers();
    assertEquals(2, apart.size(), "apart, each side checks the target: " + apart);

    // The split heals: each side may now find the other; Hazelcast merges the smaller into the larger.
    a.hazelcast().getConfig().getNetworkConfig().getJoin().getTcpIpConfig().addMember("127.0.0.1:" + portB);
    b.hazelcast().getConfig().getNetworkConfig().getJoin().getTcpIpConfig().addMember("127.0.0.1:" + portA);
    ClusterIT.eventually(60, "the two sides merged", () -> a.hazelcast().getCluster().getMembers().size() == 2
      && b.hazelcast().getCluster().getMembers().size() == 2);
    // Briefly two (the merged side's checker learns at its next renewal that it lost): bounded.
    ClusterIT.eventually(30, "one checker left after the merge", () -> checkers().size() == 1);
    for (int sample = 0; sample < 3; sample++) {
      Set<String> checkers = checkers();
      assertEquals(1, checkers.size(), "merged, one checker stays (sample " + sample + "): " + checkers);
    }
  }

  /** A node as {@code sluice.jar run --cluster} builds it, with {@code instances} gateway instances' checks. */
  ClusterSetup startNode(String name, int port, String members, int instances) {
    ClusterSetup setup = ClusterSetup.fromEnvironment(Map.of("SLUICE_CLUSTER_NAME", cluster,
      "SLUICE_CLUSTER_PORT", String.valueOf(port), "SLUICE_CLUSTER_MEMBERS", members));
    Vertx vertx = setup.start(NodeVertx.newRegistry());
    nodes.add(vertx);
    List<RouteConfig> routes = List.of(new RouteConfig(ROUTE, "/" + ROUTE,
      URI.create("http://127.0.0.1:" + mockPort + "/" + ROUTE), false, policy()));
    vertx.deployVerticle(() -> new CheckingInstance(name, routes), new DeploymentOptions().setInstances(instances))
      .await();
    return setup;
  }

  static RoutePolicy policy() {
    RoutePolicy base = RoutePolicy.DEFAULT;
    return new RoutePolicy(base.timeoutMs(), base.rateLimit(), base.circuit(), base.retry(), base.balance(),
      base.outlier(), HEALTH);
  }

  /**
   * The instances that checked the target in a fresh sample of {@link #CHECKS_PER_SAMPLE} checks
   * (bounded: 30 s, where the checks take a few seconds).
   */
  Set<String> checkers() {
    mock(HttpMethod.POST, "/__mock/reset");
    try {
      ClusterIT.eventually(30, CHECKS_PER_SAMPLE + " health checks", () -> healthCheckIds().values().stream()
        .mapToInt(n -> (Integer) n).sum() >= CHECKS_PER_SAMPLE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while sampling the checks", e);
    }
    return new TreeSet<>(healthCheckIds().keySet());
  }

  Map<String, Object> healthCheckIds() {
    Map<String, Object> ids = mock(HttpMethod.GET, "/__mock/stats").getJsonObject("byRequestId").getMap();
    ids.keySet().removeIf(id -> !id.startsWith("sluice-health:" + ROUTE + ":"));
    return ids;
  }

  JsonObject mock(HttpMethod method, String path) {
    // Closed here, not left to be collected: Vert.x closes an unreachable client with its connections.
    HttpClient client = plain.createHttpClient();
    try {
      return client.request(method, mockPort, "127.0.0.1", path)
        .compose(request -> request.send().compose(response -> response.body()))
        .map(body -> new JsonObject(body))
        .timeout(10, TimeUnit.SECONDS)
        .await();
    } finally {
      client.close();
    }
  }

  /** One gateway instance's health checks, wired as GatewayVerticle wires them. */
  static final class CheckingInstance extends VerticleBase {
    private final String node;
    private final List<RouteConfig> routes;
    private TargetSync sync;
    private HealthChecks checks;

    CheckingInstance(String node, List<RouteConfig> routes) {
      this.node = node;
      this.routes = routes;
    }

    @Override
    public Future<?> start() {
      sync = new TargetSync(vertx, node, UUID.randomUUID().toString().substring(0, 8));
      UpstreamTargets targets = new UpstreamTargets(routes, () -> System.nanoTime() / 1_000_000, bound -> 0, sync,
        node);
      checks = new HealthChecks(vertx, sync, () -> targets);
      return sync.start(() -> targets).onSuccess(v -> checks.update());
    }

    @Override
    public Future<?> stop() {
      return checks.stop().compose(v -> sync.stop());
    }
  }
}
