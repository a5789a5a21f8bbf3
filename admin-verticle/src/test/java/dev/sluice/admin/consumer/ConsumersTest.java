package dev.sluice.admin.consumer;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.admin.AdminVerticle;
import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.auth.TestIssuer;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.localredis.RedisServerProcess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API-key consumers end to end, in one node: the admin's {@code /__consumers} endpoints write a real Redis,
 * the real gateway in front of a real upstream-mock checks keys against it, and revocations travel on the
 * event bus. Every key issued is remembered, to look for it afterwards where it must never be.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsumersTest {
  static final String TOKEN = "consumers-admin-token";
  static final List<String> ISSUED = new CopyOnWriteArrayList<>();
  static final TestIssuer.Key ISSUER = TestIssuer.rsa("k1");
  static final List<String> ADMIN_ANSWERS = new CopyOnWriteArrayList<>();
  static RedisServerProcess redisServer;
  static Vertx vertx;
  static GatewayFixture gw;
  static WebClient admin;
  static Redis redis;
  static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    redisServer = RedisServerProcess.start();
    vertx = Vertx.vertx();
    JsonObject limitOf3 = new JsonObject().put("limit", 3).put("windowMs", 60_000);
    gw = GatewayFixture.start(vertx, mock -> GatewayFixture.config(redisServer.url(), new JsonArray()
        .add(route("keyed", "/keyed", mock + "/anything").put("auth", "apiKey").put("rateLimit", limitOf3))
        .add(route("vip", "/vip", mock + "/anything").put("auth", "apiKey")
          .put("apiKey", new JsonObject().put("consumers", new JsonArray().add("vip"))))
        .add(route("either", "/either", mock + "/anything").put("auth", new JsonArray().add("apiKey").add("jwt"))
          .put("jwt", new JsonObject().put("publicKey", ISSUER.publicPem()).put("algorithms", new JsonArray().add("RS256")))))
      .put("log", new JsonObject().put("access", true))).await();
    AdminVerticle verticle = new AdminVerticle(ConfigParser.parse(gw.rawConfig.copy()
      .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("token", TOKEN))), null);
    vertx.deployVerticle(verticle).await();
    admin = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(verticle.actualPort()));
    redis = Redis.createClient(vertx, redisServer.url());
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    try {
      vertx.close().await();
    } finally {
      redisServer.close();
    }
  }

  static HttpResponse<Buffer> adminCall(HttpMethod method, String uri, JsonObject body) {
    var request = admin.request(method, uri).putHeader("Authorization", "Bearer " + TOKEN);
    HttpResponse<Buffer> response = (body == null ? request.send() : request.sendJsonObject(body)).await();
    ADMIN_ANSWERS.add(response.bodyAsString());
    return response;
  }

  /** Creates {@code id} and returns its first key. */
  static String create(String id) {
    return issued(adminCall(HttpMethod.POST, "/__consumers", new JsonObject().put("id", id)));
  }

  static String newKey(String id) {
    return issued(adminCall(HttpMethod.POST, "/__consumers/" + id + "/keys", null));
  }

  static String issued(HttpResponse<Buffer> response) {
    assertEquals(201, response.statusCode(), response.bodyAsString());
    String key = response.bodyAsJsonObject().getString("key");
    ISSUED.add(key);
    // The one answer that may hold the key; it is left out of the "no admin answer" check.
    ADMIN_ANSWERS.remove(ADMIN_ANSWERS.size() - 1);
    return key;
  }

  static HttpResponse<Buffer> call(String path, String key) {
    var request = gw.client.get(path);
    if (key != null) {
      request.putHeader("X-Api-Key", key);
    }
    return request.send().await();
  }

  static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Polls every 20 ms for at most {@code ms}: how long {@code what} took, or an assertion error. */
  static void within(long ms, String what, IntSupplier status, int expected) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    int last;
    while ((last = status.getAsInt()) != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": still " + last + " after " + ms + " ms");
      }
      vertx.timer(20).await();
    }
  }

  @Test
  @Order(1)
  void everyConsumerEndpointNeedsTheAdminToken() {
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
      HttpResponse<Buffer> response = admin.request(method, "/__consumers").send().await();
      assertEquals(401, response.statusCode(), method + " without a token");
    }
    HttpResponse<Buffer> wrong = admin.delete("/__consumers/acme").putHeader("Authorization", "Bearer nope").send().await();
    assertEquals(403, wrong.statusCode());
  }

  @Test
  @Order(2)
  void aNewConsumersKeyIsShownOnceAndEveryOtherAnswerShowsADigestPrefix() throws Exception {
    HttpResponse<Buffer> created = adminCall(HttpMethod.POST, "/__consumers", new JsonObject().put("id", "acme"));
    String key = issued(created);
    assertTrue(key.startsWith("sk_") && key.length() > 40, key.length() + " chars");
    String digest = sha256(key);
    assertEquals(digest.substring(0, 12), created.bodyAsJsonObject().getString("digestPrefix"));
    assertEquals("no-store", created.getHeader("Cache-Control"));

    JsonObject shown = adminCall(HttpMethod.GET, "/__consumers/acme", null).bodyAsJsonObject();
    assertEquals(new JsonArray().add(digest.substring(0, 12)), shown.getJsonArray("keys"));
    JsonArray all = adminCall(HttpMethod.GET, "/__consumers", null).bodyAsJsonObject().getJsonArray("consumers");
    assertTrue(all.stream().anyMatch(c -> "acme".equals(((JsonObject) c).getString("id"))), all.encode());
    assertEquals(409, adminCall(HttpMethod.POST, "/__consumers", new JsonObject().put("id", "acme")).statusCode());
    assertEquals(400, adminCall(HttpMethod.POST, "/__consumers", new JsonObject().put("id", "no spaces")).statusCode());

    assertEquals(401, call("/keyed/x", null).statusCode(), "no key");
    HttpResponse<Buffer> unknown = call("/keyed/x", "sk_made-up");
    assertEquals(401, unknown.statusCode());
    assertEquals("UNAUTHENTICATED", unknown.bodyAsJsonObject().getString("code"));
    assertEquals(200, call("/keyed/x", key).statusCode());
    assertTrue(logs.list.stream().anyMatch(e -> e.getKeyValuePairs() != null && e.getKeyValuePairs().stream()
      .anyMatch(kv -> kv.key.equals("consumer") && "acme".equals(kv.value))), "the access log names the consumer");
  }

  @Test
  @Order(3)
  void aConsumersKeysShareOneLimitAndAConsumersOwnLimitReplacesTheRoutes() {
    String first = create("shared");
    String second = newKey("shared");
    assertEquals(2, adminCall(HttpMethod.GET, "/__consumers/shared", null).bodyAsJsonObject().getJsonArray("keys").size());
    assertEquals(200, call("/keyed/x", first).statusCode());
    assertEquals(200, call("/keyed/x", second).statusCode());
    assertEquals(200, call("/keyed/x", first).statusCode());
    HttpResponse<Buffer> fourth = call("/keyed/x", second);
    assertEquals(429, fourth.statusCode(), "3 a minute for the consumer, whichever key it uses");
    JsonObject window = admin.get("/__limits?client=consumer:shared").send().await().bodyAsJsonObject()
      .getJsonArray("routes").stream().map(JsonObject.class::cast).filter(r -> "keyed".equals(r.getString("route")))
      .findFirst().orElseThrow();
    assertEquals(3, window.getInteger("count"), "the admin finds the consumer's one window: " + window);
    assertEquals(200, call("/keyed/x", create("other")).statusCode(), "another consumer has a window of its own");

    String gold = issued(adminCall(HttpMethod.POST, "/__consumers", new JsonObject().put("id", "gold")
      .put("limits", new JsonObject().put("keyed", new JsonObject().put("limit", 5).put("windowMs", 60_000)))));
    for (int i = 0; i < 5; i++) {
      assertEquals(200, call("/keyed/x", gold).statusCode(), "call " + (i + 1) + " of gold's own 5");
    }
    assertEquals(429, call("/keyed/x", gold).statusCode());
  }

  @Test
  @Order(4)
  void aRevokedKeyIsRefusedWithinASecondAndTheConsumersOtherKeyKeepsWorking() throws Exception {
    String revoked = create("rev");
    String kept = newKey("rev");
    assertEquals(200, call("/keyed/x", revoked).statusCode(), "now in the gateway's cache");
    assertEquals(400, adminCall(HttpMethod.DELETE, "/__consumers/rev/keys/abc", null).statusCode(), "too short a prefix");
    String neither = sha256(revoked).startsWith("0000") || sha256(kept).startsWith("0000") ? "ffffffff" : "00000000";
    assertEquals(404, adminCall(HttpMethod.DELETE, "/__consumers/rev/keys/" + neither, null).statusCode());
    HttpResponse<Buffer> answer = adminCall(HttpMethod.DELETE, "/__consumers/rev/keys/" + sha256(revoked).substring(0, 12), null);
    assertEquals(200, answer.statusCode(), answer.bodyAsString());
    within(1000, "the revoked key refused", () -> call("/keyed/x", revoked).statusCode(), 401);
    assertEquals(200, call("/keyed/x", kept).statusCode());
    assertEquals(new JsonArray().add(sha256(kept).substring(0, 12)),
      adminCall(HttpMethod.GET, "/__consumers/rev", null).bodyAsJsonObject().getJsonArray("keys"));
  }

  @Test
  @Order(5)
  void aDeletedConsumersKeysAreAllRefused() {
    String one = create("gone");
    String two = newKey("gone");
    assertEquals(200, call("/keyed/x", one).statusCode());
    assertEquals(200, call("/keyed/x", two).statusCode());
    HttpResponse<Buffer> deleted = adminCall(HttpMethod.DELETE, "/__consumers/gone", null);
    assertEquals(200, deleted.statusCode());
    assertEquals(2, deleted.bodyAsJsonObject().getInteger("revokedKeys"));
    within(1000, "the first key refused", () -> call("/keyed/x", one).statusCode(), 401);
    within(1000, "the second key refused", () -> call("/keyed/x", two).statusCode(), 401);
    assertEquals(404, adminCall(HttpMethod.GET, "/__consumers/gone", null).statusCode());
    assertEquals(404, adminCall(HttpMethod.POST, "/__consumers/gone/keys", null).statusCode());
  }

  @Test
  @Order(6)
  void aRouteThatListsConsumersForbidsTheOthers() {
    HttpResponse<Buffer> stranger = call("/vip/x", create("not-vip"));
    assertEquals(403, stranger.statusCode());
    assertEquals("FORBIDDEN", stranger.bodyAsJsonObject().getString("code"));
    assertEquals(200, call("/vip/x", create("vip")).statusCode());
  }

  static String token(String sub) {
    return ISSUER.sign(TestIssuer.claims("https://idp.test/", "any", sub));
  }

  static HttpResponse<Buffer> either(String key, String token) {
    var request = gw.client.get("/either/x");
    if (key != null) {
      request.putHeader("X-Api-Key", key);
    }
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.send().await();
  }

  @Test
  @Order(7)
  void onARouteTakingEitherCredentialOneValidOneSuffices() {
    String key = create("either");
    assertEquals(200, either(key, null).statusCode());
    assertEquals(200, either(null, token("user-7")).statusCode());
    assertEquals(200, either("sk_made-up", token("user-7")).statusCode(), "a bad key does not spoil a good token");
    assertEquals(200, either(key, TestIssuer.unsigned(TestIssuer.claims("x", "y", "admin"), "k1")).statusCode(),
      "nor a bad token a good key");
    HttpResponse<Buffer> neither = either("sk_made-up", TestIssuer.rsa("k1").sign(TestIssuer.claims("x", "y", "z")));
    assertEquals(401, neither.statusCode());
    assertEquals("Bearer error=\"invalid_token\"", neither.getHeader("WWW-Authenticate"));
  }

  @Test
  @Order(8)
  void noKeyIsInARedisKeyOrValueInALogLineOrInAnAdminAnswer() {
    assertTrue(ISSUED.size() >= 10, "keys issued: " + ISSUED.size());
    List<String> redisText = new ArrayList<>();
    String cursor = "0";
    for (int round = 0; round < 1000; round++) {
      Response page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("COUNT").arg(1000)).await();
      for (Response name : page.get(1)) {
        redisText.add(name.toString());
        String type = redis.send(Request.cmd(Command.TYPE).arg(name.toString())).await().toString();
        Response value = switch (type) {
          case "string" -> redis.send(Request.cmd(Command.GET).arg(name.toString())).await();
          case "hash" -> redis.send(Request.cmd(Command.HGETALL).arg(name.toString())).await();
          case "zset" -> redis.send(Request.cmd(Command.ZRANGE).arg(name.toString()).arg(0).arg(-1)).await();
          default -> null;
        };
        redisText.add(type + " " + value);
      }
      cursor = page.get(0).toString();
      if (cursor.equals("0")) {
        break;
      }
    }
    assertTrue(redisText.stream().anyMatch(t -> t.startsWith("sluice:apikey:")), "the lookups are there: " + redisText);
    adminCall(HttpMethod.GET, "/__consumers", null);
    List<String> logText = logs.list.stream().map(e -> e.getFormattedMessage() + " " + e.getKeyValuePairs()
      + " " + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).toList();
    assertFalse(logText.isEmpty());
    for (String key : ISSUED) {
      String secret = key.substring("sk_".length());
      assertTrue(redisText.stream().noneMatch(t -> t.contains(secret)), "a key in Redis");
      assertTrue(logText.stream().noneMatch(t -> t.contains(secret)), "a key in a log line");
      assertTrue(ADMIN_ANSWERS.stream().noneMatch(t -> t.contains(secret)), "a key in an admin answer");
    }
  }

  @Test
  @Order(9)
  void whileRedisIsDownRecentlyVerifiedKeysPassAndUnknownKeysGet503() {
    String verified = create("offline");
    String neverUsed = newKey("offline");
    assertEquals(200, call("/keyed/x", verified).statusCode());
    redisServer.stop();
    try {
      // The limiter falls back to its local windows (redis.onFailure: local); authentication never does.
      assertEquals(200, call("/keyed/x", verified).statusCode(), "verified in the last cacheSeconds");
      for (String unknown : List.of(neverUsed, "sk_never-issued")) {
        HttpResponse<Buffer> response = call("/keyed/x", unknown);
        assertEquals(503, response.statusCode(), response.bodyAsString());
        assertEquals("AUTH_UNAVAILABLE", response.bodyAsJsonObject().getString("code"));
      }
      assertEquals(200, either(neverUsed, token("user-8")).statusCode(), "a key that cannot be checked, a good token");
      assertEquals(503, either(neverUsed, null).statusCode(), "the key alone cannot be checked");
      assertEquals(503, adminCall(HttpMethod.POST, "/__consumers", new JsonObject()).statusCode());
    } finally {
      redisServer.restart();
    }
  }
}
