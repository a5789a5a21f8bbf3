package dev.sluice.app;

import dev.sluice.app.GatewayNodes.Node;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API-key consumers across two gateway JVMs (the real sluice.jar with --cluster, one instance each) that share
 * one Redis and one upstream-mock: what the admin of one node writes, the gateway of the other honours, and
 * a revocation made on one node stops the key on the other long before its cache would have.
 */
class ApiKeysAcrossNodesIT {
  static final String TOKEN = "it-admin-token";
  @RegisterExtension
  static final GatewayNodes nodes = GatewayNodes.cluster("sluice-apikeys").admin(TOKEN).instances(1);
  static final List<String> ISSUED = new CopyOnWriteArrayList<>();
  static Node a;
  static Node b;

  static int call(Node node, String key) {
    return GatewayNodes.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/keyed/x"))
      .timeout(Duration.ofSeconds(20)).header("X-Api-Key", key).build()).statusCode();
  }

  static String issue(Node node, String method, String path, String body) {
    HttpResponse<String> response = node.admin(method, path, body);
    assertEquals(201, response.statusCode(), response.body());
    String key = new JsonObject(response.body()).getString("key");
    ISSUED.add(key);
    return key;
  }

  @BeforeAll
  static void start() throws Exception {
    a = startNode("a");
    b = startNode("b");
  }

  static Node startNode(String name) throws Exception {
    return nodes.start(name,
      "redis: { url: \"" + nodes.redisUrl() + "\", timeoutMs: 2000 }",
      "log: { access: true }",
      // 60 s of cache: a key refused within a second was evicted by the revocation, not by expiry.
      "auth: { cacheSeconds: 60 }",
      "routes:",
      "  - { name: keyed, prefix: /keyed, upstream: \"" + nodes.mockUrl() + "/anything\", auth: apiKey,",
      "      rateLimit: { limit: 4, windowMs: 60000 } }");
  }

  /** Polls every 20 ms until {@code node} answers {@code key} with {@code status}; fails after {@code ms}. */
  static void within(long ms, String what, Node node, String key, int status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    int last;
    while ((last = call(node, key)) != status) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": still " + last + " after " + ms + " ms");
      }
      Thread.sleep(20);
    }
  }

  static String prefix(String key) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(UTF_8))).substring(0, 12);
  }

  @Test
  void aKeyCreatedOnNodeAIsAcceptedOnNodeB() {
    String key = issue(a, "POST", "/__consumers", "{\"id\": \"made-on-a\"}");
    assertEquals(200, call(b, key));
    assertEquals(200, call(a, key));
    assertEquals(401, call(b, "sk_not-a-key"));
  }

  @Test
  void aConsumersTwoKeysShareOneExactLimitAcrossTwoNodes() {
    String first = issue(a, "POST", "/__consumers", "{\"id\": \"two-keys\"}");
    String second = issue(b, "POST", "/__consumers/two-keys/keys", null);
    assertEquals(200, call(a, first));
    assertEquals(200, call(b, second));
    assertEquals(200, call(a, second));
    assertEquals(200, call(b, first));
    assertEquals(429, call(a, second), "4 a minute for the consumer, whichever key and node it uses");
    assertEquals(429, call(b, first));
  }

  @Test
  void aKeyRevokedOnNodeBIsRefusedOnNodeAWithinASecond() throws Exception {
    String revoked = issue(a, "POST", "/__consumers", "{\"id\": \"revoked-on-b\"}");
    String kept = issue(a, "POST", "/__consumers/revoked-on-b/keys", null);
    assertEquals(200, call(a, revoked), "now in A's cache for 60 s");
    HttpResponse<String> answer = b.admin("DELETE", "/__consumers/revoked-on-b/keys/" + prefix(revoked), null);
    assertEquals(200, answer.statusCode(), answer.body());
    within(1000, "A refuses the key B revoked", a, revoked, 401);
    assertEquals(401, call(b, revoked));
    assertEquals(200, call(a, kept), "the consumer's other key still works");
  }

  @Test
  void aConsumerDeletedOnNodeBHasEveryKeyRefusedOnNodeAWithinASecond() throws Exception {
    String one = issue(b, "POST", "/__consumers", "{\"id\": \"deleted-on-b\"}");
    String two = issue(b, "POST", "/__consumers/deleted-on-b/keys", null);
    assertEquals(200, call(a, one));
    assertEquals(200, call(a, two));
    assertEquals(200, b.admin("DELETE", "/__consumers/deleted-on-b", null).statusCode());
    within(1000, "A refuses the first key", a, one, 401);
    within(1000, "A refuses the second key", a, two, 401);
  }

  /** Last in the class by name order is not guaranteed, so it issues and uses keys of its own too. */
  @Test
  void noKeyIsInRedisInEitherNodesLogOrInAnAdminAnswer() throws Exception {
    String key = issue(a, "POST", "/__consumers", "{\"id\": \"secret-keeper\"}");
    assertEquals(200, call(b, key));
    assertEquals(200, call(a, key));
    List<String> answers = List.of(a.admin("GET", "/__consumers", null).body(),
      b.admin("GET", "/__consumers/secret-keeper", null).body());
    assertTrue(answers.get(1).contains(prefix(key)), answers.get(1));
    List<String> redisText = redisDump();
    assertTrue(redisText.stream().anyMatch(t -> t.contains("sluice:apikey:")), "lookups are stored");
    List<String> logs = List.of(Files.readString(a.log(), UTF_8), Files.readString(b.log(), UTF_8));
    assertTrue(logs.get(1).contains("secret-keeper"), "B's access log names the consumer");
    for (String issued : ISSUED) {
      String secret = issued.substring("sk_".length());
      assertTrue(redisText.stream().noneMatch(t -> t.contains(secret)), "a key in Redis");
      assertTrue(logs.stream().noneMatch(t -> t.contains(secret)), "a key in a node's log");
      assertTrue(answers.stream().noneMatch(t -> t.contains(secret)), "a key in an admin answer");
    }
  }

  static List<String> redisDump() {
    Redis redis = Redis.createClient(nodes.vertx, nodes.redisUrl());
    try {
      List<String> text = new ArrayList<>();
      String cursor = "0";
      for (int round = 0; round < 1000; round++) {
        Response page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("COUNT").arg(1000)).await();
        for (Response name : page.get(1)) {
          String key = name.toString();
          String type = redis.send(Request.cmd(Command.TYPE).arg(key)).await().toString();
          Response value = switch (type) {
            case "string" -> redis.send(Request.cmd(Command.GET).arg(key)).await();
            case "hash" -> redis.send(Request.cmd(Command.HGETALL).arg(key)).await();
            case "zset" -> redis.send(Request.cmd(Command.ZRANGE).arg(key).arg(0).arg(-1)).await();
            default -> null;
          };
          text.add(key + " " + type + " " + value);
        }
        cursor = page.get(0).toString();
        if (cursor.equals("0")) {
          break;
        }
      }
      return text;
    } finally {
      redis.close();
    }
  }
}
