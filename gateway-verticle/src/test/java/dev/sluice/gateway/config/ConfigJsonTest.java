package dev.sluice.gateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class ConfigJsonTest {

  @Test
  void aFullConfigReadsBackEqual() {
    SluiceConfig config = ConfigFixtures.full();
    assertEquals(config, ConfigParser.parse(ConfigJson.toJson(config)));
  }

  @Test
  void aDefaultConfigReadsBackEqual() {
    SluiceConfig config = ConfigFixtures.minimal();
    assertEquals(config, ConfigParser.parse(ConfigJson.toJson(config)));
  }

  @Test
  void theJsonSurvivesBeingSentAsText() {
    // the reload event and the admin API carry it encoded, not as live objects
    SluiceConfig config = ConfigFixtures.full();
    assertEquals(config, ConfigParser.parse(new JsonObject(ConfigJson.toJson(config).encode())));
  }

  @Test
  void theJsonHasTheFileLayoutWithEffectiveValues() {
    JsonObject json = ConfigJson.toJson(ConfigFixtures.full());
    JsonObject orders = json.getJsonArray("routes").getJsonObject(1);
    assertEquals("orders_v2", orders.getString("name"));
    assertEquals("https://orders.internal:8443/api", orders.getString("upstream"));
    assertEquals(new JsonObject().put("limit", 5).put("windowMs", 1000L), orders.getJsonObject("rateLimit"));
    assertEquals(new JsonArray().add("connect").add(503).add(504),
        orders.getJsonObject("retry").getJsonArray("retryOn"));
    assertEquals(new JsonArray().add("GET").add("POST"), orders.getJsonObject("retry").getJsonArray("methods"));
    assertEquals("equal", orders.getJsonObject("retry").getString("jitter"));
    assertEquals("header:X-Api-Key", json.getJsonObject("clients").getString("identity"));
    assertEquals(new JsonArray().add("10.0.0.0/8").add("::1/128"),
        json.getJsonObject("clients").getJsonArray("trustedProxies"));
    assertEquals("closed", json.getJsonObject("redis").getString("onFailure"));
  }

  @Test
  void routeJsonNeverHoldsTheAdminToken() {
    SluiceConfig config = ConfigFixtures.full();
    String routes = ConfigJson.toJson(config.routes()).encode();
    assertFalse(routes.contains("s3cret"));
    assertFalse(routes.contains("token"));
  }

  @Test
  void anUnsetTokenIsLeftOut() {
    JsonObject admin = ConfigJson.toJson(ConfigFixtures.minimal()).getJsonObject("admin");
    assertFalse(admin.containsKey("token"));
    assertNull(ConfigParser.parse(ConfigJson.toJson(ConfigFixtures.minimal())).admin().token());
  }

  @Test
  void aRouteTableReadsBackEqualWhateverTheDefaults() {
    List<RouteConfig> routes = ConfigFixtures.full().routes();
    assertEquals(routes, ConfigParser.parseRoutes(ConfigJson.toJson(routes), RoutePolicy.DEFAULT));
  }
}
