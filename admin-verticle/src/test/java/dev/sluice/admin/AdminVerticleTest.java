package dev.sluice.admin;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.localredis.RedisServerProcess;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import dev.sluice.gateway.metrics.VertxMetricsOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin API over a real gateway, a real upstream-mock and a real Redis, in one node. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminVerticleTest {
  static final String TOKEN = "s3cret-token";
  static RedisServerProcess redis;
  static Vertx vertx;
  static PrometheusMeterRegistry registry;
  static GatewayFixture gw;
  static WebClient admin;
  static WebClient adminWithoutToken;
  static String mockUrl;

  @BeforeAll
  static void start() {
    redis = RedisServerProcess.start();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(VertxMetricsOptions.forNode()))
      .withMetrics(new MicrometerMetricsFactory(registry)).build();
    gw = GatewayFixture.start(vertx, GatewayNode.standalone(registry), mock -> {
      mockUrl = mock;
      return GatewayFixture.config(redis.url(), new JsonArray()
        .add(route("users", "/users", mock + "/anything").put("rateLimit", new JsonObject().put("limit", 10))));
    }).await();
    admin = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(deployAdmin(TOKEN)));
    adminWithoutToken = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(deployAdmin(null)));
  }

  static int deployAdmin(String token) {
    JsonObject json = gw.rawConfig.copy()
      .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("token", token));
    SluiceConfig config = ConfigParser.parse(json);
    AdminVerticle verticle = new AdminVerticle(config, registry);
    vertx.deployVerticle(verticle).await();
    return verticle.actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    redis.stop();
  }

  static HttpResponse<Buffer> get(String uri) {
    return admin.get(uri).send().await();
  }

  static HttpResponse<Buffer> write(io.vertx.core.http.HttpMethod method, String uri, String token, JsonObject body) {
    var request = admin.request(method, uri);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return (body == null ? request.send() : request.sendJsonObject(body)).await();
  }

  @Test
  @Order(1)
  void routesShowTheEffectiveTableWithDefaultsMerged() {
    assertEquals(0L, get("/__routes").bodyAsJsonObject().getLong("version"), "version 0: the config file's table");
    JsonObject users = get("/__routes").bodyAsJsonObject().getJsonArray("routes").getJsonObject(0);
    assertEquals("users", users.getString("name"));
    assertEquals(10, users.getJsonObject("rateLimit").getInteger("limit"));
    assertEquals(60_000, users.getJsonObject("rateLimit").getInteger("windowMs"), "merged from defaults");
    assertNotNull(users.getJsonObject("retry"));
    assertFalse(get("/__routes").bodyAsString().contains(TOKEN), "the token is never shown");
  }

  @Test
  @Order(2)
  void limitsForAClientMatchWhatTheLimiterSaid() {
    HttpResponse<Buffer> last = null;
    for (int i = 0; i < 3; i++) {
      last = gw.client.get("/users/1").send().await();
    }
    assertEquals("7", last.getHeader("X-RateLimit-Remaining"));
    JsonObject view = get("/__limits?client=127.0.0.1").bodyAsJsonObject().getJsonArray("routes").getJsonObject(0);
    assertEquals(3, view.getInteger("count"));
    assertEquals(7, view.getInteger("remaining"));
    assertEquals(Long.parseLong(last.getHeader("X-RateLimit-Reset")), view.getLong("resetSeconds"), 1.0);
    JsonObject plain = get("/__limits").bodyAsJsonObject().getJsonArray("routes").getJsonObject(0);
    assertEquals("users", plain.getString("route"));
    assertEquals(10, plain.getInteger("limit"));
    assertEquals(60_000, plain.getInteger("windowMs"));
    assertEquals(new JsonArray().add(new JsonObject().put("client", "127.0.0.1").put("count", 3)),
      plain.getJsonArray("topClients"), "the busiest clients, found with SCAN");
  }

  @Test
  @Order(3)
  void circuitShowsEachInstancesViewAndTheClusterState() {
    JsonObject body = get("/__circuit").bodyAsJsonObject();
    JsonObject users = body.getJsonArray("routes").getJsonObject(0);
    assertEquals("users", users.getString("route"));
    assertEquals("CLOSED", users.getString("state"));
    JsonObject view = users.getJsonArray("views").getJsonObject(0);
    assertEquals("CLOSED", view.getString("state"));
    assertNotNull(view.getString("node"));
    assertNotNull(view.getString("instance"));
    JsonObject node = body.getJsonArray("nodes").getJsonObject(0);
    assertFalse(node.getBoolean("unreachable"));
    assertEquals(1, node.getInteger("instances"));
  }

  @Test
  @Order(4)
  void writesNeedTheToken() {
    assertEquals(401, write(io.vertx.core.http.HttpMethod.POST, "/__circuit/users/open", null, null).statusCode());
    HttpResponse<Buffer> wrong = write(io.vertx.core.http.HttpMethod.POST, "/__circuit/users/open", "nope", null);
    assertEquals(403, wrong.statusCode());
    assertEquals("FORBIDDEN", wrong.bodyAsJsonObject().getString("code"));
    HttpResponse<Buffer> disabled = adminWithoutToken.post("/__circuit/users/open")
      .putHeader("Authorization", "Bearer anything").send().await();
    assertEquals(403, disabled.statusCode());
    assertEquals("WRITES_DISABLED", disabled.bodyAsJsonObject().getString("code"));
    assertEquals(404, write(io.vertx.core.http.HttpMethod.POST, "/__circuit/ghost/open", TOKEN, null).statusCode());
  }

  @Test
  @Order(5)
  void openAndResetReachTheGateway() throws Exception {
    assertEquals(200, write(io.vertx.core.http.HttpMethod.POST, "/__circuit/users/open", TOKEN, null).statusCode());
    assertTrue(eventually(() -> gw.client.get("/users/x").send().await().statusCode() == 503));
    assertEquals("OPEN", get("/__circuit").bodyAsJsonObject().getJsonArray("routes").getJsonObject(0).getString("state"));
    assertEquals(200, write(io.vertx.core.http.HttpMethod.POST, "/__circuit/users/reset", TOKEN, null).statusCode());
    assertTrue(eventually(() -> gw.client.get("/users/x").send().await().statusCode() == 200));
  }

  @Test
  @Order(6)
  void aBadRouteTableChangesNothingAndAGoodOneIsRoutedBy() throws Exception {
    JsonObject bad = new JsonObject().put("routes", new JsonArray()
      .add(new JsonObject().put("name", "x").put("prefix", "/x").put("upstream", "not-a-url")));
    HttpResponse<Buffer> rejected = write(io.vertx.core.http.HttpMethod.PUT, "/__routes", TOKEN, bad);
    assertEquals(400, rejected.statusCode());
    assertTrue(rejected.bodyAsJsonObject().getJsonArray("problems").getString(0).startsWith("routes[0].upstream"));
    assertEquals("users", get("/__routes").bodyAsJsonObject().getJsonArray("routes").getJsonObject(0).getString("name"));

    JsonObject good = new JsonObject().put("routes", new JsonArray()
      .add(route("orders", "/orders", mockUrl + "/anything")));
    assertEquals(200, write(io.vertx.core.http.HttpMethod.PUT, "/__routes", TOKEN, good).statusCode());
    assertEquals("orders", get("/__routes").bodyAsJsonObject().getJsonArray("routes").getJsonObject(0).getString("name"));
    assertTrue(eventually(() -> gw.client.get("/orders/9").send().await().statusCode() == 200));
    assertEquals(404, gw.client.get("/users/1").send().await().statusCode());
  }

  @Test
  @Order(7)
  void healthReportsGatewayRedisAndCluster() {
    HttpResponse<Buffer> r = get("/__health");
    assertEquals(200, r.statusCode());
    JsonObject checks = r.bodyAsJsonObject().getJsonObject("checks");
    assertEquals("UP", r.bodyAsJsonObject().getString("status"));
    assertEquals(1, checks.getJsonObject("gateway").getInteger("instances"));
    assertEquals("UP", checks.getJsonObject("redis").getString("status"));
    assertEquals("local", checks.getJsonObject("redis").getString("onFailure"));
    assertFalse(checks.getJsonObject("cluster").getBoolean("clustered"));
  }

  @Test
  @Order(8)
  void metricsAreValidPrometheusTextWithSluicesMetricsAndVertxs() {
    HttpResponse<Buffer> r = get("/__metrics");
    assertEquals(200, r.statusCode());
    String text = r.bodyAsString();
    assertTrue(text.contains("sluice_requests_total{method=\"GET\",route=\"users\",status=\"200\"}"), text);
    assertTrue(text.contains("sluice_request_duration_seconds_bucket{route=\"users\",le=\"0.001\"}"), text);
    assertTrue(text.contains("sluice_upstream_attempts_total{outcome=\"2xx\",route=\"users\"}"), text);
    assertTrue(text.contains("sluice_circuit_state{route=\""), text);
    assertTrue(text.contains("sluice_circuit_node_scope{route=\""), text);
    assertTrue(text.contains("sluice_circuit_transitions_total{route=\"users\",to=\"open\"}"), text);
    // Exactly the labels DESIGN.md names: {route,to}.
    assertTrue(text.lines().filter(l -> l.startsWith("sluice_circuit_transitions_total{"))
      .allMatch(l -> l.matches("sluice_circuit_transitions_total\\{route=\"[^\"]*\",to=\"[^\"]*\"} .*")), text);
    assertTrue(text.contains("vertx_eventbus_handlers"), "Vert.x's own metrics too");
    for (String line : text.split("\n")) {
      assertTrue(line.isEmpty() || line.startsWith("#") || line.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? \\S+.*"),
        "not an exposition line: " + line);
    }
  }

  @Test
  @Order(9)
  void healthSaysDegradedWithA200WhileLimitsComeFromTheFallback() throws Exception {
    redis.stop();
    // Requests go on (the fallback answers); after three failures in a row the instance switches.
    assertTrue(eventually(() -> {
      gw.client.get("/orders/degraded").send().await(); // the table a reload above left
      JsonObject body = get("/__health").bodyAsJsonObject();
      return "DEGRADED".equals(body.getString("status"));
    }), "never DEGRADED: " + get("/__health").bodyAsString());

    HttpResponse<Buffer> r = get("/__health");
    assertEquals(200, r.statusCode(), "the node still serves: load balancers keep it");
    JsonObject checks = r.bodyAsJsonObject().getJsonObject("checks");
    assertEquals("DOWN", checks.getJsonObject("redis").getString("status"));
    assertTrue(checks.getJsonObject("redis").getBoolean("limiterOnFallback"));
    assertEquals("UP", checks.getJsonObject("gateway").getString("status"));
  }

  static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

}
