package dev.sluice.admin;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.LocalRedis;
import dev.sluice.gateway.config.ConfigParser;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.function.Function;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One Vert.x (its SharedData map stands in for the cluster's), a gateway and an admin already
 * running when routes are reloaded through {@code PUT /__routes}, and a gateway and an admin
 * deployed afterwards: the newcomers start with the reloaded table, not their config file's.
 */
class RouteTableAfterReloadTest {
  static final String TOKEN = "reload-token";
  @RegisterExtension
  static final LocalRedis redis = new LocalRedis();
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** Every node's config file: the route {@code users}. */
  static final Function<String, JsonObject> FILE = mock -> GatewayFixture.config(redis.url(), new JsonArray()
    .add(route("users", "/users", mock + "/anything")));

  static WebClient admin(GatewayFixture gw) {
    JsonObject json = gw.rawConfig.copy()
      .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("token", TOKEN));
    AdminVerticle verticle = new AdminVerticle(ConfigParser.parse(json), null);
    vertx.deployVerticle(verticle).await();
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(verticle.actualPort()));
  }

  @Test
  void aGatewayAndAnAdminDeployedAfterAReloadStartWithTheReloadedTable() throws Exception {
    GatewayFixture first = GatewayFixture.start(vertx, FILE).await();
    WebClient firstAdmin = admin(first);
    JsonObject table = new JsonObject().put("routes", new JsonArray()
      .add(route("orders", "/orders", "http://127.0.0.1:" + first.mockPort + "/anything")));
    HttpResponse<Buffer> put = firstAdmin.put("/__routes").putHeader("Authorization", "Bearer " + TOKEN)
      .sendJsonObject(table).await();
    assertEquals(200, put.statusCode(), put.bodyAsString());
    long version = put.bodyAsJsonObject().getLong("version");
    assertTrue(version > 0, "a stored table has a version: " + put.bodyAsString());
    assertTrue(AdminVerticleTest.eventually(() -> first.client.get("/orders/1").send().await().statusCode() == 200));

    GatewayFixture second = GatewayFixture.start(vertx, FILE).await();
    assertEquals(200, second.client.get("/orders/1").send().await().statusCode(),
      "the new gateway's first request is routed by the reloaded table");
    assertEquals(404, second.client.get("/users/1").send().await().statusCode(), "not by its config file's");

    JsonObject shown = admin(second).get("/__routes").send().await().bodyAsJsonObject();
    assertEquals(version, shown.getLong("version"), "the new admin shows what the gateways serve");
    assertEquals("orders", shown.getJsonArray("routes").getJsonObject(0).getString("name"));
    assertEquals(version, firstAdmin.get("/__routes").send().await().bodyAsJsonObject().getLong("version"));
  }
}
