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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
    .add(route("cat", "/cacheable", mock).put("cache", new JsonObject().put("ttlSeconds", 30)))));

  @Test
  void sixtyFourConcurrentMissesOnTwoNodesMakeOneUpstreamCall() throws Exception {
    GatewayVerticle nodeB = new GatewayVerticle(gateway.config(), GatewayNode.standalone());
    gateway.vertx().deployVerticle(nodeB).await(30, TimeUnit.SECONDS);
    int[] ports = {gateway.port(), nodeB.actualPort()};
    String uri = "/cacheable/stampede?delayMs=300";
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      answers.add(gateway.client().get(ports[i % 2], "127.0.0.1", uri).send());
    }
    Future.all(answers).await(30, TimeUnit.SECONDS);
    Set<Long> serials = answers.stream().map(a -> a.result().bodyAsJsonObject().getLong("serial")).collect(Collectors.toSet());
    assertEquals(1, serials.size(), "every client got the one upstream answer");
    assertTrue(answers.stream().allMatch(a -> a.result().statusCode() == 200));
    long calls = gateway.mockStats().await(10, TimeUnit.SECONDS).getJsonObject("byPath").getLong("/cacheable/stampede", 0L);
    assertEquals(1, calls);
    long misses = answers.stream().filter(a -> "MISS".equals(a.result().getHeader("X-Cache"))).count();
    assertEquals(1, misses, "one request filled the entry; the others were answered from it");
  }
}
