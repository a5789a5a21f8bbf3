package dev.sluice.app;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
  @RegisterExtension
  static final UpstreamWithRedis parts = new UpstreamWithRedis();
  static final String TOKEN = "it-admin-token";
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final List<String> ISSUED = new CopyOnWriteArrayList<>();
  static Path dir;
  static LoopbackCluster cluster;
  static Node a;
  static Node b;

  record Node(int port, int adminPort, Path log) {
    HttpResponse<String> admin(String method, String path, String body) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      return send(request.build());
    }

    int call(String key) {
      return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/keyed/x")).timeout(Duration.ofSeconds(20))
        .header("X-Api-Key", key).build()).statusCode();
    }

    String issue(String method, String path, String body) {
      HttpResponse<String> response = admin(method, path, body);
      assertEquals(201, response.statusCode(), response.body());
      String key = new JsonObject(response.body()).getString("key");
      ISSUED.add(key);
      return key;
    }
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("sluice-apikeys-it");
    cluster = new LoopbackCluster("sluice-apikeys");
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
      "redis: { url: \"" + parts.redis.url() + "\", timeoutMs: 2000 }",
      "log: { access: true }",
      // 60 s of cache: a key refused within a second was evicted by the revocation, not by expiry.
      "auth: { cacheSeconds: 60 }",
      "routes:",
      "  - { name: keyed, prefix: /keyed, upstream: \"http://127.0.0.1:" + parts.mockPort + "/anything\", auth: apiKey,",
      "      rateLimit: { limit: 4, windowMs: 60000 } }",
      ""));
    LoopbackCluster.Member member = cluster.start(config, "--instances", "1");
    return new Node(port, adminPort, member.log());
  }

  /** Polls every 20 ms until {@code node} answers {@code key} with {@code status}; fails after {@code ms}. */
  static void within(long ms, String what, Node node, String key, int status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    int last;
    while ((last = node.call(key)) != status) {
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
    String key = a.issue("POST", "/__consumers", "{\"id\": \"made-on-a\"}");
    assertEquals(200, b.call(key));
    assertEquals(200, a.call(key));
    assertEquals(401, b.call("sk_not-a-key"));
  }

  @Test
  void aConsumersTwoKeysShareOneExactLimitAcrossTwoNodes() {
    String first = a.issue("POST", "/__consumers", "{\"id\": \"two-keys\"}");
    String second = b.issue("POST", "/__consumers/two-keys/keys", null);
    assertEquals(200, a.call(first));
    assertEquals(200, b.call(second));
    assertEquals(200, a.call(second));
    assertEquals(200, b.call(first));
    assertEquals(429, a.call(second), "4 a minute for the consumer, whichever key and node it uses");
    assertEquals(429, b.call(first));
  }

  @Test
  void aKeyRevokedOnNodeBIsRefusedOnNodeAWithinASecond() throws Exception {
    String revoked = a.issue("POST", "/__consumers", "{\"id\": \"revoked-on-b\"}");
    String kept = a.issue("POST", "/__consumers/revoked-on-b/keys", null);
    assertEquals(200, a.call(revoked), "now in A's cache for 60 s");
    HttpResponse<String> answer = b.admin("DELETE", "/__consumers/revoked-on-b/keys/" + prefix(revoked), null);
    assertEquals(200, answer.statusCode(), answer.body());
    within(1000, "A refuses the key B revoked", a, revoked, 401);
    assertEquals(401, b.call(revoked));
    assertEquals(200, a.call(kept), "the consumer's other key still works");
  }

  @Test
  void aConsumerDeletedOnNodeBHasEveryKeyRefusedOnNodeAWithinASecond() throws Exception {
    String one = b.issue("POST", "/__consumers", "{\"id\": \"deleted-on-b\"}");
    String two = b.issue("POST", "/__consumers/deleted-on-b/keys", null);
    assertEquals(200, a.call(one));
    assertEquals(200, a.call(two));
    assertEquals(200, b.admin("DELETE", "/__consumers/deleted-on-b", null).statusCode());
    within(1000, "A refuses the first key", a, one, 401);
    within(1000, "A refuses the second key", a, two, 401);
  }

  /** Last in the class by name order is not guaranteed, so it issues and uses keys of its own too. */
  @Test
  void noKeyIsInRedisInEitherNodesLogOrInAnAdminAnswer() throws Exception {
    String key = a.issue("POST", "/__consumers", "{\"id\": \"secret-keeper\"}");
    assertEquals(200, b.call(key));
    assertEquals(200, a.call(key));
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
    Redis redis = Redis.createClient(parts.vertx, parts.redis.url());
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
