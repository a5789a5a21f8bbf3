package dev.sluice.app;

import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @RegisterExtension
  static final UpstreamWithRedis upstream = new UpstreamWithRedis();
  static int goodPort;
  static int badPort;
  static Path dir;
  static LoopbackCluster cluster;
  static Node a;
  static Node b;

  record Node(Process process, int port, int adminPort) {
    int status(String path) {
      return send(URI.create("http://127.0.0.1:" + port + path)).statusCode();
    }

    JsonObject upstreams() {
      return new JsonObject(send(URI.create("http://127.0.0.1:" + adminPort + "/__upstreams")).body());
    }

    String state(String route, int targetPort) {
      for (Object r : upstreams().getJsonArray("routes", new JsonArray())) {
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
  }

  static HttpResponse<String> send(URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + uri + " failed: " + e, e);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    goodPort = upstream.mockPort;
    UpstreamMockVerticle bad = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
    upstream.vertx.deployVerticle(bad).await();
    badPort = bad.actualPort();
    // Every call to the bad one answers 500.
    upstream.vertx.createHttpClient().request(HttpMethod.POST, badPort, "127.0.0.1", "/__mock/config")
      .compose(req -> req.send(new JsonObject().put("failureRate", 1.0).encode())).await();
    dir = Files.createTempDirectory("sluice-targets-it");
    cluster = new LoopbackCluster("sluice-targets-it");
    a = startNode();
    b = startNode();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    System.out.println("node logs: " + dir);
  }

  static Node startNode() throws Exception {
    int port = SluiceJarIT.freePort();
    int adminPort = SluiceJarIT.freePort();
    Path config = dir.resolve("node-" + port + ".yaml");
    Files.writeString(config, String.join("\n",
      "http: { host: 127.0.0.1, port: " + port + " }",
      "admin: { host: 127.0.0.1, port: " + adminPort + ", token: " + TOKEN + " }",
      "redis: { url: \"" + upstream.redis.url() + "\", timeoutMs: 2000 }",
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
        + " health: { path: /health, intervalMs: 100 } }",
      ""));
    // Two instances per node: one checker in the cluster means one of four instances, not one per node.
    return new Node(cluster.start(config, "--instances", "2").process(), port, adminPort);
  }

  static String route(String name) {
    return "  - { name: " + name + ", prefix: /" + name + ", stripPrefix: true, upstream: [\"http://127.0.0.1:"
      + goodPort + "/anything\", \"http://127.0.0.1:" + badPort + "/anything\"] }";
  }

  static JsonObject goodStats() {
    return upstream.vertx.createHttpClient().request(HttpMethod.GET, goodPort, "127.0.0.1", "/__mock/stats")
      .compose(req -> req.send().compose(r -> r.body()))
      .map(JsonObject::new).await();
  }

  static int badCalls() {
    return upstream.vertx.createHttpClient().request(HttpMethod.GET, badPort, "127.0.0.1", "/__mock/stats")
      .compose(req -> req.send().compose(r -> r.body()))
      .map(body -> new JsonObject(body).getInteger("total")).await();
  }

  /** Fails the bad target through {@code node} until that node ejects it (bounded: it takes 3 failures). */
  static void failThrough(Node node, String route) throws InterruptedException {
    // Each gateway instance of the node counts its own failures in a row: a few rounds of a few requests.
    for (int round = 0; round < 10 && !"EJECTED".equals(node.state(route, badPort)); round++) {
      for (int i = 0; i < 6; i++) {
        node.status("/" + route + "/x");
      }
    }
    ClusterIT.eventually(5, "ejected on the node that saw it fail", () -> "EJECTED".equals(node.state(route, badPort)));
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
    ClusterIT.eventually(5, "node B hears of the ejection", () -> "EJECTED".equals(b.state("live", badPort)));
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
    Node late = startNode();
    neverCallsTheBadTarget(late, "joined");
  }
}
