package dev.sluice.gateway.cache;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redis going away bypasses the cache; stale-while-revalidate serves stale while one refresh runs. */
class CacheRedisAndRefreshTest {
  // Without Redis the limiter answers from its local fallback: the request still goes on to the cache.
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
    .add(route("swr", "/w", mock).put("stripPrefix", true).put("cache", new JsonObject().put("ttlSeconds", 30)
      .put("staleWhileRevalidateSeconds", 60).put("local", new JsonObject().put("maxEntries", 0))))));

  static HttpResponse<Buffer> get(String uri) throws Exception {
    return gateway.client().get(uri).send().await(10, TimeUnit.SECONDS);
  }

  @Test
  void withRedisDownTheCacheIsBypassedAndTheRequestServed() throws Exception {
    gateway.stopRedis();
    HttpResponse<Buffer> answer = get("/w/cacheable/no-redis");
    assertEquals(200, answer.statusCode());
    assertEquals("BYPASS", answer.getHeader("X-Cache"));
  }

  @Test
  void aStaleEntryIsServedWhileOneRefreshReplacesIt() throws Exception {
    String uri = "/w/cacheable/swr?h=" + URLEncoder.encode("Cache-Control:max-age=1", StandardCharsets.UTF_8);
    HttpResponse<Buffer> first = get(uri);
    assertEquals("MISS", first.getHeader("X-Cache"));
    long firstSerial = first.bodyAsJsonObject().getLong("serial");
    HttpResponse<Buffer> stale = pollUntil(uri, "STALE");
    assertEquals(firstSerial, stale.bodyAsJsonObject().getLong("serial"), "the stale answer is the stored one");
    HttpResponse<Buffer> refreshed = pollUntil(uri, "HIT");
    assertTrue(refreshed.bodyAsJsonObject().getLong("serial") > firstSerial, "the refresh stored a newer answer");
  }

  private static HttpResponse<Buffer> pollUntil(String uri, String xCache) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    HttpResponse<Buffer> last;
    do {
      gateway.vertx().timer(50).await(); // paces a bounded poll
      last = get(uri);
    } while (!xCache.equals(last.getHeader("X-Cache")) && System.nanoTime() < deadline);
    assertEquals(xCache, last.getHeader("X-Cache"));
    return last;
  }
}
