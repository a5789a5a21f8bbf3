package dev.sluice.admin;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayVerticle;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.localredis.RedisServerProcess;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code DELETE /__cache/<route>}: a purge through the admin empties Redis and every node's local tier. */
class CachePurgeTest {
  static final String TOKEN = "purge-token";
  static RedisServerProcess redis;
  static Vertx vertx;
  static GatewayFixture nodeA;
  static GatewayVerticle nodeB;
  static WebClient client;
  static int adminPort;

  @BeforeAll
  static void start() {
    redis = RedisServerProcess.start();
    vertx = Vertx.vertx();
    nodeA = GatewayFixture.start(vertx, GatewayNode.standalone(), mock -> GatewayFixture.config(redis.url(), new JsonArray()
      .add(route("cat", "/cacheable", mock).put("cache", new JsonObject().put("ttlSeconds", 60))))).await();
    nodeB = new GatewayVerticle(nodeA.config, GatewayNode.standalone());
    vertx.deployVerticle(nodeB).await();
    AdminVerticle admin = new AdminVerticle(ConfigParser.parse(nodeA.rawConfig.copy()
      .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("token", TOKEN))), null);
    vertx.deployVerticle(admin).await();
    adminPort = admin.actualPort();
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    redis.close();
  }

  static String viaNode(Node node, String uri) {
    HttpResponse<Buffer> answer = client.get(node.port(), "127.0.0.1", uri).send().await();
    assertEquals(200, answer.statusCode());
    return answer.getHeader("X-Cache");
  }

  /** A gateway node by its port, read once the node has started. */
  interface Node {
    int port();
  }

  static final Node A = () -> nodeA.port;
  static final Node B = () -> nodeB.actualPort();

  static HttpResponse<Buffer> purge(String query, String token) {
    var request = client.delete(adminPort, "127.0.0.1", "/__cache/cat" + query);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.send().await();
  }

  @Test
  void aPurgeOnTheAdminMakesTheOtherNodeMissNext() throws Exception {
    assertEquals("MISS", viaNode(A, "/cacheable/p/1"));
    assertEquals("MISS", viaNode(A, "/cacheable/q/1"));
    assertEquals("HIT", viaNode(B, "/cacheable/p/1"), "node B has it from Redis, and now in its own tier");
    assertEquals(401, purge("?prefix=/cacheable/p", null).statusCode());

    HttpResponse<Buffer> purged = purge("?prefix=/cacheable/p", TOKEN);
    assertEquals(200, purged.statusCode());
    assertEquals(1, purged.bodyAsJsonObject().getLong("deletedFromRedis"));
    assertEquals("MISS", awaitMiss(B, "/cacheable/p/1"));
    assertEquals("HIT", viaNode(A, "/cacheable/q/1"), "outside the prefix nothing was purged");

    assertEquals(200, purge("", TOKEN).statusCode());
    assertEquals("MISS", awaitMiss(A, "/cacheable/q/1"));
    assertEquals(404, client.delete(adminPort, "127.0.0.1", "/__cache/nope")
      .putHeader("Authorization", "Bearer " + TOKEN).send().await().statusCode());
  }

  /** The local tiers drop their entries when the purge message arrives: a request sent just before may still hit. */
  private static String awaitMiss(Node node, String uri) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String last;
    do {
      last = viaNode(node, uri);
      if ("MISS".equals(last)) {
        return last;
      }
      vertx.timer(20).await(); // paces a bounded poll
    } while (System.nanoTime() < deadline);
    return last;
  }
}
