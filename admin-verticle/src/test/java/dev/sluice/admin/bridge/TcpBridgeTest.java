package dev.sluice.admin.bridge;

import dev.sluice.admin.AdminNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TCP bridge of a real node, spoken to as another language would: length-prefixed JSON. */
class TcpBridgeTest {
  static final JsonObject TOKEN = new JsonObject().put("Authorization", "Bearer " + AdminNode.TOKEN);
  @RegisterExtension
  static final AdminNode node = new AdminNode();

  @Test
  void aCommandWithTheTokenOpensAndResetsACircuitAndClientsSeeTheEvents() {
    try (TcpBridgeClient client = TcpBridgeClient.connect(node.vertx(), node.bridgePort())) {
      client.register("sluice.circuit.events");
      client.sync();

      JsonObject opened = client.answer(client.request("sluice.admin.command",
        new JsonObject().put("action", "open").put("route", "orders"), TOKEN));
      assertEquals("message", opened.getString("type"), opened.encode());
      assertEquals("OPEN", opened.getJsonObject("body").getString("state"));
      JsonObject event = client.next(f -> "sluice.circuit.events".equals(f.getString("address"))
        && "OPEN".equals(f.getJsonObject("body").getString("state")));
      assertEquals("orders", event.getJsonObject("body").getString("route"));
      node.await("the gateway refuses /orders", 10, () -> node.gatewayStatus("/orders/anything") == 503);

      JsonObject reset = client.answer(client.request("sluice.admin.command",
        new JsonObject().put("action", "reset").put("route", "orders"), TOKEN));
      assertEquals("CLOSED", reset.getJsonObject("body").getString("state"));
      node.await("the gateway serves /orders again", 10, () -> node.gatewayStatus("/orders/anything") == 200);
    }
  }

  @Test
  void aCommandWithoutOrWithAWrongTokenGetsAnErrorFrameAndChangesNothing() {
    long version = node.circuit("users").getLong("version");
    try (TcpBridgeClient client = TcpBridgeClient.connect(node.vertx(), node.bridgePort())) {
      JsonObject open = new JsonObject().put("action", "open").put("route", "users");
      JsonObject none = client.answer(client.request("sluice.admin.command", open, null));
      JsonObject wrong = client.answer(client.request("sluice.admin.command", open,
        new JsonObject().put("Authorization", "Bearer not-the-token")));
      JsonObject inBody = client.answer(client.request("sluice.admin.command",
        open.copy().put("Authorization", "Bearer " + AdminNode.TOKEN), null));
      client.sync();

      assertEquals("err", none.getString("type"));
      assertEquals(401, none.getInteger("failureCode"));
      assertEquals("UNAUTHORIZED", new JsonObject(none.getString("message")).getString("code"));
      assertEquals(403, wrong.getInteger("failureCode"));
      assertEquals("FORBIDDEN", new JsonObject(wrong.getString("message")).getString("code"));
      assertEquals(401, inBody.getInteger("failureCode"), "the token belongs in the headers, not the body");
    }
    assertEquals(version, node.circuit("users").getLong("version"));
    assertEquals("CLOSED", node.circuit("users").getString("state"));
    assertEquals(200, node.gatewayStatus("/users/anything"));
  }

  @Test
  void anythingButACommandIsRefusedEvenWithTheToken() {
    long routesVersion = node.getJson("/__routes").getLong("version");
    try (TcpBridgeClient client = TcpBridgeClient.connect(node.vertx(), node.bridgePort())) {
      JsonObject table = new JsonObject().put("version", 99).put("routes", new JsonArray()
        .add(route("evil", "/", "http://127.0.0.1:1")));
      JsonObject reload = client.answer(client.request("sluice.routes.reload", table, TOKEN));
      client.write(new JsonObject().put("type", "publish").put("address", "sluice.circuit.events").put("headers", TOKEN)
        .put("body", new JsonObject().put("route", "users").put("state", "OPEN").put("version", 1_000)));
      client.write(new JsonObject().put("type", "publish").put("address", "sluice.admin.command").put("headers", TOKEN)
        .put("body", new JsonObject().put("action", "open").put("route", "users")));
      client.register("sluice.circuit.failures");
      client.register("sluice.admin.snapshot");
      client.sync();

      assertEquals(403, reload.getInteger("failureCode"));
      assertEquals("ACCESS_DENIED", new JsonObject(reload.getString("message")).getString("code"));
      // two refused publishes (ours and the bridge's own frame each) and two refused registrations
      assertTrue(client.count(f -> "err".equals(f.getString("type"))) >= 1 + 2 + 2, client.frames().toString());
      assertEquals(2, client.count(f -> "access_denied".equals(f.getString("message"))), client.frames().toString());
    }
    assertEquals(routesVersion, node.getJson("/__routes").getLong("version"));
    assertEquals("CLOSED", node.circuit("users").getString("state"));
    assertEquals(200, node.gatewayStatus("/users/anything"));
  }

  @Test
  void statsArriveOnceASecondWithEveryRoute() {
    try (TcpBridgeClient client = TcpBridgeClient.connect(node.vertx(), node.bridgePort())) {
      client.register("sluice.stats");
      JsonObject first = client.next(f -> "sluice.stats".equals(f.getString("address")));
      JsonObject body = first.getJsonObject("body");
      assertTrue(body.getLong("seq") >= 1);
      assertEquals(java.util.Set.of("users", "orders"), body.getJsonArray("routes").stream()
        .map(r -> ((JsonObject) r).getString("route")).collect(java.util.stream.Collectors.toSet()));
      JsonObject route = body.getJsonArray("routes").getJsonObject(0);
      for (String field : new String[] {"requests", "rateLimited", "serverErrors", "retries"}) {
        assertTrue(route.getValue(field) instanceof Number, field + " in " + route);
      }
    }
  }

  @Test
  void theBridgeAndTheHttpApiAnswerABadCommandAlike() {
    JsonObject http = node.admin().post("/__circuit/nosuch/open")
      .putHeader("Authorization", "Bearer " + AdminNode.TOKEN).send().await().bodyAsJsonObject();
    try (TcpBridgeClient client = TcpBridgeClient.connect(node.vertx(), node.bridgePort())) {
      JsonObject err = client.answer(client.request("sluice.admin.command",
        new JsonObject().put("action", "open").put("route", "nosuch"), TOKEN));
      assertEquals(404, err.getInteger("failureCode"));
      assertEquals(http, new JsonObject(err.getString("message")));

      JsonObject bad = client.answer(client.request("sluice.admin.command",
        new JsonObject().put("action", "explode"), TOKEN));
      assertEquals(400, bad.getInteger("failureCode"));
      assertEquals("BAD_COMMAND", new JsonObject(bad.getString("message")).getString("code"));

      JsonObject invalid = client.answer(client.request("sluice.admin.command", new JsonObject().put("action", "reload")
        .put("routes", new JsonArray().add(route("x", "/x", "not-a-url"))), TOKEN));
      assertEquals(400, invalid.getInteger("failureCode"));
      assertNull(node.getJson("/__routes").getJsonArray("routes").stream()
        .filter(r -> "x".equals(((JsonObject) r).getString("name"))).findFirst().orElse(null));
    }
  }
}
