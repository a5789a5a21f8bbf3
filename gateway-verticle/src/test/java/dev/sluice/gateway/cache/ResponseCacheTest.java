package dev.sluice.gateway.cache;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayUnderTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The response cache against a real upstream-mock and a real Redis: HIT/MISS/BYPASS and the RFC 9111 rules. */
class ResponseCacheTest {
  static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(GatewayNode.standalone(METERS),
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(route("cat", "/cacheable", mock).put("cache", new JsonObject().put("ttlSeconds", 30)
        .put("vary", new JsonArray().add("Accept-Encoding"))))
      .add(route("big", "/big", mock).put("stripPrefix", true)
        .put("cache", new JsonObject().put("ttlSeconds", 30).put("maxBodyBytes", 65_536)))
      .add(route("nolocal", "/nl", mock).put("stripPrefix", true)
        .put("cache", new JsonObject().put("ttlSeconds", 30).put("local", new JsonObject().put("maxEntries", 0))))
      .add(route("plain", "/plain", mock).put("stripPrefix", true))));

  @BeforeEach
  void resetMock() throws Exception {
    gateway.resetMock().await(10, TimeUnit.SECONDS);
  }

  static String url(String path, String... headers) {
    StringBuilder url = new StringBuilder(path);
    char sep = path.contains("?") ? '&' : '?';
    for (String h : headers) {
      url.append(sep).append("h=").append(URLEncoder.encode(h, StandardCharsets.UTF_8));
      sep = '&';
    }
    return url.toString();
  }

  static HttpResponse<Buffer> get(String uri, String... requestHeaders) throws Exception {
    HttpRequest<Buffer> request = gateway.client().get(uri);
    for (int i = 0; i < requestHeaders.length; i += 2) {
      request.putHeader(requestHeaders[i], requestHeaders[i + 1]);
    }
    return request.send().await(10, TimeUnit.SECONDS);
  }

  static long serial(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getLong("serial");
  }

  static long upstreamCalls(String path) throws Exception {
    return gateway.mockStats().await(10, TimeUnit.SECONDS).getJsonObject("byPath").getLong(path, 0L);
  }

  @Test
  void aSecondGetIsAHitWithTheFirstBodyAndAnAge() throws Exception {
    HttpResponse<Buffer> first = get("/cacheable/hit");
    HttpResponse<Buffer> second = get("/cacheable/hit");
    assertEquals("MISS", first.getHeader("X-Cache"));
    assertEquals("HIT", second.getHeader("X-Cache"));
    assertEquals(serial(first), serial(second));
    assertNotNull(second.getHeader("Age"));
    assertEquals(1, upstreamCalls("/cacheable/hit"));
  }

  @Test
  void theQueryIsPartOfTheKey() throws Exception {
    get("/cacheable/query?a=1");
    assertEquals("MISS", get("/cacheable/query?a=2").getHeader("X-Cache"));
    assertEquals("HIT", get("/cacheable/query?a=1").getHeader("X-Cache"));
  }

  @Test
  void headIsAnsweredFromTheGetsEntry() throws Exception {
    HttpResponse<Buffer> full = get("/cacheable/head");
    HttpResponse<Buffer> head = gateway.client().head("/cacheable/head").send().await(10, TimeUnit.SECONDS);
    assertEquals("HIT", head.getHeader("X-Cache"));
    assertEquals(String.valueOf(full.body().length()), head.getHeader("Content-Length"));
    assertEquals(1, upstreamCalls("/cacheable/head"));
  }

  @Test
  void redisServesANodeWhoseLocalTierHoldsNothing() throws Exception {
    get("/nl/cacheable/nolocal");
    assertEquals("HIT", get("/nl/cacheable/nolocal").getHeader("X-Cache"));
    assertEquals(1, upstreamCalls("/cacheable/nolocal"));
  }

  @Test
  void noStoreAndPrivateAnswersAreNeverStored() throws Exception {
    for (String cc : new String[] {"no-store", "private, max-age=60"}) {
      String uri = url("/cacheable/ns-" + cc.charAt(0), "Cache-Control:" + cc);
      HttpResponse<Buffer> first = get(uri);
      HttpResponse<Buffer> second = get(uri);
      assertEquals("MISS", second.getHeader("X-Cache"), cc);
      assertNotEquals(serial(first), serial(second), cc);
    }
  }

  @Test
  void sMaxAgeWinsOverMaxAgeForASharedCache() throws Exception {
    String shared = url("/cacheable/smaxage", "Cache-Control:max-age=0, s-maxage=60");
    get(shared);
    assertEquals("HIT", get(shared).getHeader("X-Cache"));
    String expired = url("/cacheable/maxage0", "Cache-Control:max-age=0");
    get(expired);
    assertEquals("MISS", get(expired).getHeader("X-Cache"));
  }

  @Test
  void expiresInThePastMeansStale() throws Exception {
    String uri = url("/cacheable/expires", "Date:Mon, 07 Dec 2026 10:00:00 GMT", "Expires:Mon, 07 Dec 2026 09:00:00 GMT");
    get(uri);
    assertEquals("MISS", get(uri).getHeader("X-Cache"));
  }

  @Test
  void varyOnAKeyedHeaderKeepsOneEntryPerValue() throws Exception {
    String uri = url("/cacheable/vary", "Vary:Accept-Encoding");
    long gzip = serial(get(uri, "Accept-Encoding", "gzip"));
    HttpResponse<Buffer> br = get(uri, "Accept-Encoding", "br");
    assertEquals("MISS", br.getHeader("X-Cache"));
    HttpResponse<Buffer> gzipAgain = get(uri, "Accept-Encoding", "gzip");
    assertEquals("HIT", gzipAgain.getHeader("X-Cache"));
    assertEquals(gzip, serial(gzipAgain));
  }

  @Test
  void varyStarOrAnUnkeyedHeaderIsNeverStored() throws Exception {
    for (String vary : new String[] {"*", "User-Agent"}) {
      String uri = url("/cacheable/vary-" + vary.charAt(0), "Vary:" + vary);
      get(uri);
      assertEquals("MISS", get(uri).getHeader("X-Cache"), vary);
    }
  }

  @Test
  void anAnswerToAuthorizationIsStoredOnlyWhenItSaysPublic() throws Exception {
    String uri = "/cacheable/auth";
    get(uri, "Authorization", "Bearer alice");
    HttpResponse<Buffer> anonymous = get(uri);
    assertEquals("MISS", anonymous.getHeader("X-Cache"), "alice's answer must not be served to anyone");
    // The anonymous answer is stored, but never served to a request with credentials.
    assertEquals("MISS", get(uri, "Authorization", "Bearer bob").getHeader("X-Cache"));

    String publicUri = url("/cacheable/auth-public", "Cache-Control:public, max-age=60");
    long first = serial(get(publicUri, "Authorization", "Bearer alice"));
    HttpResponse<Buffer> bob = get(publicUri, "Authorization", "Bearer bob");
    assertEquals("HIT", bob.getHeader("X-Cache"));
    assertEquals(first, serial(bob));
  }

  @Test
  void setCookieAnswersAreNotStored() throws Exception {
    String uri = url("/cacheable/cookie", "Set-Cookie:session=abc");
    get(uri);
    HttpResponse<Buffer> second = get(uri);
    assertEquals("MISS", second.getHeader("X-Cache"));
  }

  @Test
  void onlyCacheableStatusesAreStored() throws Exception {
    get("/cacheable/st?status=404");
    assertEquals("HIT", get("/cacheable/st?status=404").getHeader("X-Cache"));
    get("/cacheable/st?status=500");
    assertEquals("MISS", get("/cacheable/st?status=500").getHeader("X-Cache"));
  }

  @Test
  void aClientsNoCacheRevalidatesWithTheEtagAndA304RefreshesTheEntry() throws Exception {
    String uri = url("/cacheable/etag", "ETag:\"v1\"", "Cache-Control:max-age=60");
    long first = serial(get(uri));
    HttpResponse<Buffer> revalidated = get(uri, "Cache-Control", "no-cache");
    assertEquals("REVALIDATED", revalidated.getHeader("X-Cache"));
    assertEquals(200, revalidated.statusCode());
    assertEquals(first, serial(revalidated), "a 304 keeps the stored body");
    assertEquals(2, upstreamCalls("/cacheable/etag"));
    assertEquals("HIT", get(uri).getHeader("X-Cache"));
  }

  @Test
  void aClientsNoStoreBypassesTheCache() throws Exception {
    get("/cacheable/bypass");
    HttpResponse<Buffer> bypass = get("/cacheable/bypass", "Cache-Control", "no-store");
    assertEquals("BYPASS", bypass.getHeader("X-Cache"));
    assertEquals(2, upstreamCalls("/cacheable/bypass"));
  }

  @Test
  void aGetWithABodyBypassesTheCache() throws Exception {
    get("/cacheable/with-body");
    HttpResponse<Buffer> withBody = gateway.client().get("/cacheable/with-body").sendBuffer(Buffer.buffer("q=1"))
      .await(10, TimeUnit.SECONDS);
    assertEquals("BYPASS", withBody.getHeader("X-Cache"));
  }

  @Test
  void anAnswerOverMaxBodyBytesStreamsWholeAndUncached() throws Exception {
    HttpResponse<Buffer> first = get("/big/bytes/200000");
    HttpResponse<Buffer> second = get("/big/bytes/200000");
    assertEquals(200_000, first.body().length());
    assertEquals(first.body(), second.body());
    assertEquals("MISS", second.getHeader("X-Cache"));
    assertEquals(2, upstreamCalls("/bytes/200000"));
    get("/big/bytes/30000");
    HttpResponse<Buffer> small = get("/big/bytes/30000");
    assertEquals("HIT", small.getHeader("X-Cache"));
    assertEquals(30_000, small.body().length());
  }

  @Test
  void aRouteWithoutCacheSaysNothingAboutIt() throws Exception {
    assertNull(get("/plain/anything/x").getHeader("X-Cache"));
  }

  @Test
  void hitsAndMissesAreCountedPerRoute() throws Exception {
    double hitsBefore = count("cat", "hit");
    get("/cacheable/metrics");
    get("/cacheable/metrics");
    assertEquals(hitsBefore + 1, count("cat", "hit"));
    assertTrue(count("cat", "miss") >= 1);
    assertTrue(METERS.get("sluice.cache.bytes").tag("tier", "local").gauge().value() > 0);
    // What sluice.stats (and the live page's hit ratio) reads.
    var totals = new dev.sluice.gateway.metrics.GatewayMetrics(METERS).totals("cat");
    assertEquals((long) count("cat", "hit"), totals.cacheHits());
    assertTrue(totals.cacheLookups() > totals.cacheHits());
  }

  private static double count(String route, String result) {
    return METERS.get("sluice.cache.requests").tag("route", route).tag("result", result).counter().count();
  }
}
