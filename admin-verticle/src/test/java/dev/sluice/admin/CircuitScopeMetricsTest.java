package dev.sluice.admin;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.limit.LocalSlidingWindowLimiter;
import dev.sluice.localredis.RedisServerProcess;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The circuit's scope in node A's {@code /__metrics}, with two gateway nodes (A and B, each its
 * own {@link GatewayNode} and meters) on one Vert.x, whose event bus carries the circuit messages
 * between them as a cluster's would. Route {@code users} fails on A while B calls it fine: no
 * quorum, so it opens on A only. Route {@code orders} fails on A, its only caller: A is the
 * majority, so it opens for the cluster, B included.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CircuitScopeMetricsTest {
  static final int THRESHOLD = 2;

  RedisServerProcess redis;
  Vertx vertx;
  MeterRegistry metersOfB = new SimpleMeterRegistry();
  GatewayFixture nodeA;
  GatewayFixture nodeB;
  WebClient adminOfA;

  @BeforeAll
  void start() {
    redis = RedisServerProcess.start();
    vertx = Vertx.vertx();
    PrometheusMeterRegistry metersOfA = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    nodeA = GatewayFixture.start(vertx, node("A", metersOfA), this::config).await();
    nodeB = GatewayFixture.start(vertx, node("B", metersOfB), this::config).await();
    AdminVerticle admin = new AdminVerticle(ConfigParser.parse(nodeA.rawConfig.copy()
      .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0))), metersOfA);
    vertx.deployVerticle(admin).await();
    adminOfA = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(admin.actualPort()));
  }

  @AfterAll
  void stop() {
    try {
      if (vertx != null) {
        vertx.close().await();
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  static GatewayNode node(String id, MeterRegistry meters) {
    return new GatewayNode(id, new LocalSlidingWindowLimiter(), meters);
  }

  JsonObject config(String mock) {
    JsonObject circuit = new JsonObject().put("failureThreshold", THRESHOLD).put("resetTimeoutMs", 600_000)
      .put("quorum", "majority");
    return GatewayFixture.config(redis.url(), new JsonArray()
      .add(route("users", "/users", mock).put("stripPrefix", true).put("circuit", circuit.copy())
        .put("retry", new JsonObject().put("maxAttempts", 1)))
      .add(route("orders", "/orders", mock).put("stripPrefix", true).put("circuit", circuit.copy())
        .put("retry", new JsonObject().put("maxAttempts", 1))));
  }

  @Test
  void aNodeScopeCircuitAndAClusterScopeCircuitAreToldApartInTheMetrics() {
    assertEquals(200, status(nodeB, "/users/status/200"));
    await("A heard that B called users", () -> viewOf("A", "users").getInteger("callers") == 1);
    assertEquals(500, status(nodeA, "/users/status/500"));
    assertEquals(500, status(nodeA, "/users/status/500"));
    assertEquals(500, status(nodeA, "/orders/status/500"));
    assertEquals(500, status(nodeA, "/orders/status/500"));
    // B weighs A's failures too before it is looked at, so that "B stays closed" can be wrong.
    await("B heard A's failures", () -> viewOf("B", "users").getLong("failures") == THRESHOLD);
    await("B follows the cluster's orders", () -> stateOfB("orders") == 1);

    String metrics = adminOfA.get("/__metrics").send().await().bodyAsString();
    // Open on one node only, as Prometheus scraping each node sees it: sluice_circuit_state open on
    // A, closed on B (max by route > 0, min by route == 0); /__circuit names the scope.
    assertEquals(1.0, sample(metrics, "sluice_circuit_state{route=\"users\"}"), metrics);
    assertEquals(0, stateOfB("users"), "a node-scope circuit leaves the other nodes serving");
    assertEquals("NODE", viewOf("A", "users").getString("scope"));
    assertEquals(1.0, sample(metrics, "sluice_circuit_node_scope{route=\"users\"}"), metrics);
    assertEquals(1.0, sample(metrics, "sluice_circuit_transitions_total{route=\"users\",to=\"open\"}"), metrics);
    // Open for the cluster: open on both nodes (min by route > 0).
    assertEquals(1.0, sample(metrics, "sluice_circuit_state{route=\"orders\"}"), metrics);
    assertEquals(1, stateOfB("orders"));
    assertEquals("CLUSTER", viewOf("A", "orders").getString("scope"));
    assertEquals(0.0, sample(metrics, "sluice_circuit_node_scope{route=\"orders\"}"), metrics);
    assertEquals(1.0, sample(metrics, "sluice_circuit_transitions_total{route=\"orders\",to=\"open\"}"), metrics);
    // The transitions carry the labels DESIGN.md names and no scope.
    assertTrue(metrics.lines().noneMatch(l -> l.startsWith("sluice_circuit_transitions_total{") && l.contains("scope=")), metrics);

    assertEquals(0, metersOfB.get("sluice.circuit.node.scope").tag("route", "orders").gauge().value(), 0.0);
    assertEquals(200, status(nodeB, "/users/status/200"));
  }

  static int status(GatewayFixture node, String uri) {
    return node.client.get(uri).send().await().statusCode();
  }

  double stateOfB(String route) {
    return metersOfB.get("sluice.circuit.state").tag("route", route).gauge().value();
  }

  /** Node {@code node}'s view of {@code route} in {@code GET /__circuit}. */
  JsonObject viewOf(String node, String route) {
    JsonArray routes = adminOfA.get("/__circuit").send().await().bodyAsJsonObject().getJsonArray("routes");
    return routes.stream().map(JsonObject.class::cast).filter(r -> route.equals(r.getString("route")))
      .flatMap(r -> r.getJsonArray("views").stream().map(JsonObject.class::cast))
      .filter(v -> node.equals(v.getString("node"))).findFirst().orElseThrow();
  }

  /** The value of one series in Prometheus text: the line that starts with it. */
  static double sample(String metrics, String series) {
    return metrics.lines().filter(line -> line.startsWith(series + " ")).findFirst()
      .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]))
      .orElseThrow(() -> new AssertionError("no " + series + " in\n" + metrics));
  }

  void await(String what, BooleanSupplier check) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      vertx.timer(50).await();
    }
  }
}
