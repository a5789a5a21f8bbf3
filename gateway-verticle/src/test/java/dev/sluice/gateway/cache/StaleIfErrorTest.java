package dev.sluice.gateway.cache;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache and the circuit together: a stale entry instead of the upstream's failure or the open circuit's 503. */
class StaleIfErrorTest {
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
    .add(cached("brittle", "/b", mock, 300, 2))
    .add(cached("brief", "/s", mock, 1, 1))));

  static JsonObject cached(String name, String prefix, String mock, long staleIfErrorSeconds, int failureThreshold) {
    return route(name, prefix, mock).put("stripPrefix", true)
      .put("retry", new JsonObject().put("maxAttempts", 1))
      .put("circuit", new JsonObject().put("failureThreshold", failureThreshold).put("resetTimeoutMs", 120_000))
      .put("cache", new JsonObject().put("ttlSeconds", 30).put("staleIfErrorSeconds", staleIfErrorSeconds));
  }

  @BeforeEach
  void resetMock() throws Exception {
    gateway.resetMock().await(10, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> get(String uri, boolean revalidate) throws Exception {
    HttpRequest<Buffer> request = gateway.client().get(uri);
    if (revalidate) {
      request.putHeader("Cache-Control", "no-cache");
    }
    return request.send().await(10, TimeUnit.SECONDS);
  }

  static void failEveryCall() throws Exception {
    gateway.client().post(gateway.mockPort(), "127.0.0.1", "/__mock/config")
      .sendJsonObject(new JsonObject().put("failureRate", 1.0)).await(10, TimeUnit.SECONDS);
  }

  static long upstreamCalls(String path) throws Exception {
    return gateway.mockStats().await(10, TimeUnit.SECONDS).getJsonObject("byPath").getLong(path, 0L);
  }

  @Test
  void aStaleEntryAnswersForAFailingUpstreamAndThenForTheOpenCircuit() throws Exception {
    HttpResponse<Buffer> stored = get("/b/cacheable/sie", false);
    assertEquals("MISS", stored.getHeader("X-Cache"));
    failEveryCall();
    // The client's no-cache sends each request upstream: the failures open the circuit (threshold 2).
    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> stale = get("/b/cacheable/sie", true);
      assertEquals(200, stale.statusCode());
      assertEquals("STALE", stale.getHeader("X-Cache"));
      assertEquals(stored.bodyAsJsonObject(), stale.bodyAsJsonObject());
    }
    HttpResponse<Buffer> uncached = awaitCircuitOpen("/b/cacheable/never-stored");
    assertEquals("CIRCUIT_OPEN", uncached.bodyAsJsonObject().getString("code"));
    long callsBefore = upstreamCalls("/cacheable/sie");
    HttpResponse<Buffer> whileOpen = get("/b/cacheable/sie", true);
    assertEquals(200, whileOpen.statusCode());
    assertEquals("STALE", whileOpen.getHeader("X-Cache"));
    assertEquals(callsBefore, upstreamCalls("/cacheable/sie"), "an open circuit calls nothing");
  }

  @Test
  void pastStaleIfErrorTheOpenCircuitsErrorComesThrough() throws Exception {
    String uri = "/s/cacheable/brief?h=" + java.net.URLEncoder.encode("Cache-Control:max-age=1", "UTF-8");
    assertEquals("MISS", get(uri, false).getHeader("X-Cache"));
    failEveryCall();
    HttpResponse<Buffer> stale = get(uri, true);
    assertEquals("STALE", stale.getHeader("X-Cache"));
    // freshness 1 s + staleIfError 1 s: within a few seconds the entry may no longer stand in.
    HttpResponse<Buffer> last = stale;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (last.statusCode() == 200 && System.nanoTime() < deadline) {
      // Fresh for one second (a HIT, no upstream call), then stale standing in for the open circuit.
      assertTrue(Set.of("HIT", "STALE").contains(last.getHeader("X-Cache")), last.getHeader("X-Cache"));
      gateway.vertx().timer(100).await(); // paces a bounded poll
      last = get(uri, false);
    }
    assertEquals(503, last.statusCode());
    assertEquals("CIRCUIT_OPEN", last.bodyAsJsonObject().getString("code"));
  }

  private static HttpResponse<Buffer> awaitCircuitOpen(String uri) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    HttpResponse<Buffer> last;
    do {
      last = get(uri, false);
    } while (last.statusCode() != 503 && System.nanoTime() < deadline);
    assertTrue(last.statusCode() == 503, "the circuit opened");
    return last;
  }
}
