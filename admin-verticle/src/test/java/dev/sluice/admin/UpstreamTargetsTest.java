package dev.sluice.admin;

import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayVerticle;
import dev.sluice.gateway.LocalRedis;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.gateway.upstream.TargetChecker;
import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One route over three real upstream-mocks, a real gateway and its admin API: calls spread over
 * the three; one killed is ejected while every request still succeeds; brought back on its port,
 * the active health check takes it back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(60)
class UpstreamTargetsTest {
  static final int REQUESTS = 30;
  /** Generous for a loaded 2-core machine: health checks run every 100 ms, two in a row decide. */
  static final long BOUND_MS = 15_000;
  static final long REQUEST_TIMEOUT_MS = 10_000;
  static final String TOKEN = "targets-token";

  @RegisterExtension
  static final LocalRedis redis = new LocalRedis();
  static Vertx vertx;
  static final List<String> mockIds = new ArrayList<>();
  static final List<Integer> mockPorts = new ArrayList<>();
  static WebClient client;
  static WebClient admin;
  static final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void start() throws IOException {
    vertx = Vertx.vertx();
    JsonArray targets = new JsonArray();
    for (int i = 0; i < 3; i++) {
      UpstreamMockVerticle mock = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
      mockIds.add(vertx.deployVerticle(mock).await());
      mockPorts.add(mock.actualPort());
      targets.add("http://127.0.0.1:" + mock.actualPort() + "/anything");
    }
    JsonObject json = new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("token", TOKEN))
      .put("redis", new JsonObject().put("url", redis.url()).put("timeoutMs", 2000))
      .put("defaults", new JsonObject()
        .put("rateLimit", new JsonObject().put("limit", 100_000))
        .put("circuit", new JsonObject().put("failureThreshold", 1000))
        .put("retry", new JsonObject().put("maxAttempts", 3).put("initialDelayMs", 5).put("jitter", "none")))
      .put("routes", new JsonArray()
        .add(new JsonObject().put("name", "spread").put("prefix", "/s").put("stripPrefix", true)
          .put("upstream", targets).put("balance", "round-robin")
          .put("outlier", new JsonObject().put("consecutiveFailures", 2).put("ejectMs", 600_000))
          .put("health", new JsonObject().put("path", "/health").put("intervalMs", 100).put("timeoutMs", 1000)
            .put("unhealthyAfter", 2).put("healthyAfter", 2)))
        .add(new JsonObject().put("name", "gone").put("prefix", "/g")
          .put("upstream", new JsonArray().add(deadUrl()).add(deadUrl()))
          .put("retry", new JsonObject().put("maxAttempts", 1))
          .put("outlier", new JsonObject().put("consecutiveFailures", 1).put("ejectMs", 600_000)
            .put("maxEjectedPercent", 100))));
    SluiceConfig config = ConfigParser.parse(json);
    GatewayNode node = GatewayNode.standalone(meters);
    List<GatewayVerticle> instances = new ArrayList<>();
    // Two instances: the one that sees the failures must share what it decides with the other.
    vertx.deployVerticle(() -> {
      GatewayVerticle instance = new GatewayVerticle(config, node);
      instances.add(instance);
      return instance;
    }, new DeploymentOptions().setInstances(2)).await();
    GatewayVerticle gateway = instances.get(0);
    AdminVerticle adminVerticle = new AdminVerticle(config, null);
    vertx.deployVerticle(adminVerticle).await();
    WebClientOptions options = new WebClientOptions().setDefaultHost("127.0.0.1");
    client = WebClient.create(vertx, new WebClientOptions(options).setDefaultPort(gateway.actualPort()));
    admin = WebClient.create(vertx, new WebClientOptions(options).setDefaultPort(adminVerticle.actualPort()));
  }

  static String deadUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  static JsonObject mockStats(int mock) {
    return client.get(mockPorts.get(mock), "127.0.0.1", "/__mock/stats").timeout(REQUEST_TIMEOUT_MS).send().await()
      .bodyAsJsonObject();
  }

  static int callsSeenBy(int mock, String path) {
    return mockStats(mock).getJsonObject("byPath").getInteger(path, 0);
  }

  static JsonObject target(String route, int mock) {
    JsonObject body = admin.get("/__upstreams").timeout(REQUEST_TIMEOUT_MS).send().await().bodyAsJsonObject();
    for (Object r : body.getJsonArray("routes")) {
      JsonObject routeView = (JsonObject) r;
      if (routeView.getString("route").equals(route)) {
        for (Object t : routeView.getJsonArray("targets")) {
          JsonObject target = (JsonObject) t;
          if (target.getString("target").contains(":" + mockPorts.get(mock) + "/")) {
            return target;
          }
        }
      }
    }
    throw new AssertionError("no target " + mock + " of route " + route + " in " + body.encode());
  }

  static double targetUp(int mock) {
    return meters.get("sluice.upstream.target.up").tag("route", "spread")
      .tag("target", "http://127.0.0.1:" + mockPorts.get(mock) + "/anything").gauge().value();
  }

  static double requestsTo(int mock, String outcome) {
    var counter = meters.find("sluice.upstream.requests").tag("route", "spread")
      .tag("target", "http://127.0.0.1:" + mockPorts.get(mock) + "/anything").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  static void everyRequestSucceeds(String path) {
    for (int i = 0; i < REQUESTS; i++) {
      HttpResponse<Buffer> response = client.get(path).timeout(REQUEST_TIMEOUT_MS).send().await();
      assertEquals(200, response.statusCode(), "request " + i + ": " + response.bodyAsString());
    }
  }

  @Test
  @Order(1)
  void callsSpreadOverAllThreeTargets() {
    everyRequestSucceeds("/s/spread");
    for (int mock = 0; mock < 3; mock++) {
      int calls = callsSeenBy(mock, "/anything/spread");
      // round-robin on each instance: a third of what each instance got, give or take one
      assertTrue(calls >= REQUESTS / 3 - 2, "mock " + mock + " got " + calls);
      assertEquals("UP", target("spread", mock).getString("state"));
      assertEquals(1.0, targetUp(mock));
      assertEquals(calls, requestsTo(mock, "2xx"));
    }
  }

  @Test
  @Order(2)
  void aKilledTargetIsEjectedWhileEveryRequestStillSucceeds() {
    vertx.undeploy(mockIds.get(1)).await();
    everyRequestSucceeds("/s/killed");
    assertEquals(0, callsSeenBy(0, "/anything/killed") + callsSeenBy(2, "/anything/killed") - REQUESTS,
      "every request answered by the two that are left, once each");
    JsonObject killed = target("spread", 1);
    assertNotEquals("UP", killed.getString("state"), killed.encode());
    assertTrue(killed.getString("reason").contains("in a row"), killed.encode());
    JsonArray views = killed.getJsonArray("views");
    assertEquals(2, views.size(), killed.encode());
    views.forEach(v -> assertNotEquals("UP", ((JsonObject) v).getString("state"), "every instance: " + killed.encode()));
    assertEquals(0.0, targetUp(1));
    double failed = requestsTo(1, "connect_error");
    // two in a row eject it, unless the health check (every 100 ms) was quicker
    assertTrue(failed >= 1 && failed <= 2, "failed attempts to the killed target: " + failed);
  }

  @Test
  @Order(3)
  void aTargetBackOnItsPortIsTakenBackByTheActiveHealthCheck() {
    UpstreamMockVerticle back = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1")
      .setPort(mockPorts.get(1)));
    mockIds.set(1, vertx.deployVerticle(back).await());
    long deadline = System.nanoTime() + BOUND_MS * 1_000_000;
    while (!"UP".equals(target("spread", 1).getString("state"))) {
      if (System.nanoTime() > deadline) {
        fail("not taken back within " + BOUND_MS + " ms: " + target("spread", 1).encode());
      }
      vertx.timer(50).await();
    }
    everyRequestSucceeds("/s/back");
    assertTrue(callsSeenBy(1, "/anything/back") > 0, "the target that came back takes requests again");
    assertEquals(1.0, targetUp(1));
  }

  @Test
  @Order(4)
  void eachTargetIsCheckedByOneInstanceOnly() {
    for (int mock : new int[] {0, 2}) {
      List<String> checkers = mockStats(mock).getJsonObject("byRequestId").fieldNames().stream()
        .filter(id -> id.startsWith(TargetChecker.HEALTH_ID_PREFIX + "spread:")).toList();
      assertEquals(1, checkers.size(), "two gateway instances, one checker of mock " + mock + ": " + checkers);
    }
  }

  @Test
  @Order(5)
  void withEveryTargetOutTheAnswerIs503NoHealthyUpstream() {
    for (int i = 0; i < 2; i++) {
      assertEquals(502, client.get("/g/x").timeout(REQUEST_TIMEOUT_MS).send().await().statusCode(),
        "each dead target fails once, then is out");
    }
    HttpResponse<Buffer> response = client.get("/g/x").timeout(REQUEST_TIMEOUT_MS).send().await();
    assertEquals(503, response.statusCode());
    assertEquals("application/json", response.getHeader("Content-Type"));
    assertEquals("NO_HEALTHY_UPSTREAM", response.bodyAsJsonObject().getString("code"));
    assertTrue(Long.parseLong(response.getHeader("Retry-After")) > 0);
  }

  @Test
  @Order(6)
  void aRouteReloadKeepsTheStateOfTargetsThatStayed() {
    JsonArray routes = admin.get("/__routes").timeout(REQUEST_TIMEOUT_MS).send().await().bodyAsJsonObject()
      .getJsonArray("routes");
    for (Object r : routes) {
      JsonObject route = (JsonObject) r;
      if ("gone".equals(route.getString("name"))) {
        route.put("timeoutMs", 2500); // the route changed, its targets did not
      }
    }
    routes.add(new JsonObject().put("name", "fresh").put("prefix", "/fresh")
      .put("upstream", "http://127.0.0.1:" + mockPorts.get(0) + "/anything"));
    HttpResponse<Buffer> put = admin.put("/__routes").putHeader("Authorization", "Bearer " + TOKEN)
      .timeout(REQUEST_TIMEOUT_MS).sendJsonObject(new JsonObject().put("routes", routes)).await();
    assertEquals(200, put.statusCode(), put.bodyAsString());
    long deadline = System.nanoTime() + BOUND_MS * 1_000_000;
    while (client.get("/fresh/x").timeout(REQUEST_TIMEOUT_MS).send().await().statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        fail("the new table was not served within " + BOUND_MS + " ms");
      }
      vertx.timer(50).await();
    }
    HttpResponse<Buffer> response = client.get("/g/x").timeout(REQUEST_TIMEOUT_MS).send().await();
    assertEquals(503, response.statusCode(), "still ejected after the reload: " + response.bodyAsString());
    assertEquals("NO_HEALTHY_UPSTREAM", response.bodyAsJsonObject().getString("code"));
    assertEquals("UP", target("spread", 1).getString("state"));
  }
}
