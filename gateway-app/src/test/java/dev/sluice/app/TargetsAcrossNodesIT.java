package dev.sluice.app;

import dev.sluice.app.GatewayNodes.Node;
import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two gateway JVMs (sluice.jar run --cluster) in front of two real upstream-mocks: a target that
 * fails through node A is ejected there, and node B, which never saw it fail, never calls it
 * again; a node that joins afterwards starts with the ejection. A health-checked target is
 * checked by one node only.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TargetsAcrossNodesIT {
  static final String TOKEN = "it-admin-token";
  static final int REQUESTS = 20;

  // Two instances per node: one checker in the cluster means one of four instances, not one per node.
  @RegisterExtension
  static final GatewayNodes nodes = GatewayNodes.cluster("sluice-targets-it").admin(TOKEN).instances(2);
  static int goodPort;
  static int badPort;
  static Node a;
  static Node b;

  static JsonObject upstreams(Node node) {
    return new JsonObject(node.admin("GET", "/__upstreams", null).body());
  }

  static String state(Node node, String route, int targetPort) {
    for (Object r : upstreams(node).getJsonArray("routes", new JsonArray())) {
      JsonObject routeView = (JsonObject) r;
      if (route.equals(routeView.getString("route"))) {
        for (Object t : routeView.getJsonArray("targets")) {
          JsonObject target = (JsonObject) t;
          if (target.getString("target").contains(":" + targetPort + "/")) {
            return target.getString("state");
          }
        }
      }
    }
    return "MISSING";
  }

  @BeforeAll
  static void start() throws Exception {
    goodPort = nodes.mockPort;
    UpstreamMockVerticle bad = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
    nodes.vertx.deployVerticle(bad).await();
    badPort = bad.actualPort();
    // Every call to the bad one answers 500.
    HttpClient client = nodes.vertx.createHttpClient();
    client.request(HttpMethod.POST, badPort, "127.0.0.1", "/__mock/config")
      .compose(req -> req.send(new JsonObject().put("failureRate", 1.0).encode())).await();
    client.close().await();
    a = startNode("a");
    b = startNode("b");
  }

  static Node startNode(String name) throws Exception {
    return nodes.start(name,
      "redis: { url: \"" + nodes.redisUrl() + "\", timeoutMs: 2000 }",
      "defaults:",
      "  rateLimit: { limit: 100000, windowMs: 60000 }",
      // One attempt: a request that reached the bad target answers its 500, so a call is seen by the client too.
      "  retry: { maxAttempts: 1 }",
      "  circuit: { failureThreshold: 1000 }",
      "  balance: round-robin",
      "  outlier: { consecutiveFailures: 3, ejectMs: 600000 }",
      "routes:",
      route("live"),
      route("joined"),
      "  - { name: checked, prefix: /checked, upstream: \"http://127.0.0.1:" + goodPort + "/anything/checked\","
        + " health: { path: /health, intervalMs: 100 } }");
  }

  static String route(String name) {
    return "  - { name: " + name + ", prefix: /" + name + ", stripPrefix: true, upstream: [\"http://127.0.0.1:"
      + goodPort + "/anything\", \"http://127.0.0.1:" + badPort + "/anything\"] }";
  }

  static JsonObject goodStats() {
    return nodes.mockStats(goodPort);
  }

  static int badCalls() {
    return nodes.mockStats(badPort).getInteger("total");
  }

  /** Fails the bad target through {@code node} until that node ejects it (bounded: it takes 3 failures). */
  static void failThrough(Node node, String route) throws InterruptedException {
    // Each gateway instance of the node counts its own failures in a row: a few rounds of a few requests.
    for (int round = 0; round < 10 && !"EJECTED".equals(state(node, route, badPort)); round++) {
      for (int i = 0; i < 6; i++) {
        node.status("/" + route + "/x");
      }
    }
    ClusterIT.eventually(5, "ejected on the node that saw it fail", () -> "EJECTED".equals(state(node, route, badPort)));
  }

  static void neverCallsTheBadTarget(Node node, String route) {
    int before = badCalls();
    for (int i = 0; i < REQUESTS; i++) {
      assertEquals(200, node.status("/" + route + "/x"), "request " + i + " through the other node");
    }
    assertEquals(before, badCalls(), "the ejected target was not called");
  }

  @Test
  @Order(1)
  void aTargetThatFailedThroughNodeAIsNeverCalledByNodeB() throws Exception {
    failThrough(a, "live");
    ClusterIT.eventually(5, "node B hears of the ejection", () -> "EJECTED".equals(state(b, "live", badPort)));
    neverCallsTheBadTarget(b, "live");
  }

  @Test
  @Order(2)
  void eachTargetIsCheckedByOneNodeOfTheCluster() throws Exception {
    ClusterIT.eventually(20, "a few health checks", () -> goodStats().getJsonObject("byPath")
      .getInteger("/anything/checked/health", 0) >= 10);
    List<String> checkers = goodStats().getJsonObject("byRequestId").fieldNames().stream()
      .filter(id -> id.startsWith("sluice-health:checked:")).toList();
    assertEquals(1, checkers.size(), "two nodes, one checker: " + checkers);
  }

  @Test
  @Order(3)
  void aNodeThatJoinsAfterAnEjectionStartsWithIt() throws Exception {
    b.process().destroyForcibly();
    b.process().waitFor(20, TimeUnit.SECONDS);
    failThrough(a, "joined");
    Node late = startNode("late");
    neverCallsTheBadTarget(late, "joined");
  }
}
