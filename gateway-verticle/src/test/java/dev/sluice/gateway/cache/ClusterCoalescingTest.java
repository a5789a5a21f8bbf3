package dev.sluice.gateway.cache;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayUnderTest;
import dev.sluice.gateway.GatewayVerticle;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concurrent misses for one key on two gateway nodes (two node ids, two local tiers, one Redis)
 * make one upstream call: the fill lock in Redis, not anything the nodes share in memory.
 */
class ClusterCoalescingTest {
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
    .add(route("cat", "/cacheable", mock).put("cache", new JsonObject().put("ttlSeconds", 30)))
    .add(route("swr", "/w", mock).put("stripPrefix", true)
      .put("cache", new JsonObject().put("ttlSeconds", 30).put("staleWhileRevalidateSeconds", 600)))));
  static int[] ports;

  @BeforeAll
  static void startNodeB() throws Exception {
    GatewayVerticle nodeB = new GatewayVerticle(gateway.config(), GatewayNode.standalone());
    gateway.vertx().deployVerticle(nodeB).await(30, TimeUnit.SECONDS);
    ports = new int[] {gateway.port(), nodeB.actualPort()};
  }

  static List<Future<HttpResponse<Buffer>>> burst(String uri) throws Exception {
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      answers.add(gateway.client().get(ports[i % 2], "127.0.0.1", uri).send());
    }
    Future.all(answers).await(30, TimeUnit.SECONDS);
    return answers;
  }

  static long upstreamCalls(String path) throws Exception {
    return gateway.mockStats().await(10, TimeUnit.SECONDS).getJsonObject("byPath").getLong(path, 0L);
  }

  @Test
  void sixtyFourConcurrentMissesOnTwoNodesMakeOneUpstreamCall() throws Exception {
    List<Future<HttpResponse<Buffer>>> answers = burst("/cacheable/stampede?delayMs=300");
    Set<Long> serials = answers.stream().map(a -> a.result().bodyAsJsonObject().getLong("serial")).collect(Collectors.toSet());
    assertEquals(1, serials.size(), "every client got the one upstream answer");
    assertTrue(answers.stream().allMatch(a -> a.result().statusCode() == 200));
    assertEquals(1, upstreamCalls("/cacheable/stampede"));
    long misses = answers.stream().filter(a -> "MISS".equals(a.result().getHeader("X-Cache"))).count();
    assertEquals(1, misses, "one request filled the entry; the others were answered from it");
  }

  @Test
  void sixtyFourStaleHitsOnTwoNodesRefreshTheEntryOnce() throws Exception {
    // The upstream says its answer is already older (Age: 5) than its max-age: stale from the start.
    String uri = "/w/cacheable/refresh?delayMs=300&h=" + URLEncoder.encode("Cache-Control:max-age=1", StandardCharsets.UTF_8)
      + "&h=" + URLEncoder.encode("Age:5", StandardCharsets.UTF_8);
    HttpResponse<Buffer> first = gateway.client().get(ports[0], "127.0.0.1", uri).send().await(10, TimeUnit.SECONDS);
    assertEquals("MISS", first.getHeader("X-Cache"));
    List<Future<HttpResponse<Buffer>>> answers = burst(uri);
    assertTrue(answers.stream().allMatch(a -> "STALE".equals(a.result().getHeader("X-Cache"))),
      "every answer came at once from the stale entry");
    // The one refresh waits 300 ms upstream, longer than the burst: no second one can start meanwhile.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (upstreamCalls("/cacheable/refresh") < 2 && System.nanoTime() < deadline) {
      gateway.vertx().timer(20).await(); // paces a bounded poll
    }
    assertEquals(2, upstreamCalls("/cacheable/refresh"), "the fill and one refresh for both nodes");
  }
}
