package dev.sluice.gateway.proxy;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limiter seen from a client, through a real gateway, a real upstream-mock and a real Redis. */
@ExtendWith(VertxExtension.class)
class RateLimitTest {
  static JsonObject limited(String name, String prefix, String mock, int limit, long windowMs) {
    return route(name, prefix, mock).put("stripPrefix", true)
      .put("rateLimit", new JsonObject().put("limit", limit).put("windowMs", windowMs));
  }

  // Three gateways, each with a Redis of its own: they differ in how they tell clients apart.
  @RegisterExtension
  static final GatewayUnderTest byIp = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
    .add(limited("exact", "/exact", mock, 50, 10_000))
    .add(limited("countdown", "/countdown", mock, 5, 10_000))
    .add(limited("xff", "/xff", mock, 3, 10_000))));
  @RegisterExtension
  static final GatewayUnderTest byApiKey = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(limited("keyed", "/keyed", mock, 2, 10_000)))
    .put("clients", new JsonObject().put("identity", "header:X-Api-Key")));
  @RegisterExtension
  static final GatewayUnderTest behindProxy = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(limited("proxied", "/proxied", mock, 2, 10_000)))
    .put("clients", new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.1/32"))));

  @Test
  void exactlyTheLimitIsAllowedOutOf200ConcurrentRequests(VertxTestContext ctx) {
    burst(200, i -> byIp.client().get("/exact/anything"))
      .onComplete(ctx.succeeding(responses -> ctx.verify(() -> {
        assertEquals(50, count(responses, 200));
        assertEquals(150, count(responses, 429));
        ctx.completeNow();
      })));
  }

  @Test
  void remainingCountsDownAndA429CarriesRetryAfterAndTheCode(VertxTestContext ctx) {
    sequence(6, () -> byIp.client().get("/countdown/anything").send())
      .onComplete(ctx.succeeding(responses -> ctx.verify(() -> {
        for (int i = 0; i < 5; i++) {
          HttpResponse<Buffer> r = responses.get(i);
          assertEquals(200, r.statusCode());
          assertEquals("5", r.getHeader("X-RateLimit-Limit"));
          assertEquals(String.valueOf(4 - i), r.getHeader("X-RateLimit-Remaining"));
          long reset = Long.parseLong(r.getHeader("X-RateLimit-Reset"));
          assertTrue(reset >= 1 && reset <= 10, "reset " + reset);
        }
        HttpResponse<Buffer> rejected = responses.get(5);
        assertEquals(429, rejected.statusCode());
        assertEquals("RATE_LIMITED", rejected.bodyAsJsonObject().getString("code"));
        assertEquals("0", rejected.getHeader("X-RateLimit-Remaining"));
        long retryAfter = Long.parseLong(rejected.getHeader("Retry-After"));
        long reset = Long.parseLong(rejected.getHeader("X-RateLimit-Reset"));
        assertTrue(retryAfter >= 1 && retryAfter <= 10, "Retry-After " + retryAfter);
        assertEquals(reset, retryAfter, "both name when the oldest entry leaves the window");
        ctx.completeNow();
      })));
  }

  @Test
  void anUntrustedPeerCannotDodgeTheLimitWithANewForwardedForEachTime(VertxTestContext ctx) {
    int[] n = {0};
    sequence(5, () -> byIp.client().get("/xff/anything").putHeader("X-Forwarded-For", "198.51.100." + (++n[0])).send())
      .onComplete(ctx.succeeding(responses -> ctx.verify(() -> {
        assertEquals(3, count(responses, 200));
        assertEquals(2, count(responses, 429));
        ctx.completeNow();
      })));
  }

  @Test
  void behindATrustedProxyTheForwardedClientIsLimited(VertxTestContext ctx) {
    sequence(3, () -> behindProxy.client().get("/proxied/anything").putHeader("X-Forwarded-For", "198.51.100.7").send())
      .compose(first -> sequence(2, () -> behindProxy.client().get("/proxied/anything")
        .putHeader("X-Forwarded-For", "198.51.100.8").send()).map(second -> List.of(first, second)))
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        assertEquals(List.of(200, 200, 429), statuses(both.get(0)), "one forwarded client, limit 2");
        assertEquals(List.of(200, 200), statuses(both.get(1)), "another forwarded client has its own window");
        ctx.completeNow();
      })));
  }

  @Test
  void apiKeysAreLimitedIndependently(VertxTestContext ctx) {
    sequence(3, () -> byApiKey.client().get("/keyed/anything").putHeader("X-Api-Key", "alice").send())
      .compose(alice -> sequence(3, () -> byApiKey.client().get("/keyed/anything").putHeader("X-Api-Key", "bob").send())
        .map(bob -> List.of(alice, bob)))
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        assertEquals(List.of(200, 200, 429), statuses(both.get(0)));
        assertEquals(List.of(200, 200, 429), statuses(both.get(1)));
        ctx.completeNow();
      })));
  }

  @Test
  void withRedisUnreachableAClosedLimiterAnswers503AtOnce(Vertx vertx, VertxTestContext ctx) throws IOException {
    String deadRedis;
    try (ServerSocket socket = new ServerSocket(0)) {
      deadRedis = "redis://127.0.0.1:" + socket.getLocalPort();
    }
    GatewayFixture.start(vertx, mock -> GatewayFixture.config(deadRedis, new JsonArray().add(route("r", "/r", mock)))
        .put("redis", new JsonObject().put("url", deadRedis).put("onFailure", "closed")))
      .compose(gw -> gw.client.get("/r/anything").send())
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(503, r.statusCode());
        assertEquals("LIMITER_UNAVAILABLE", r.bodyAsJsonObject().getString("code"));
        ctx.completeNow();
      })));
  }

  private static Future<List<HttpResponse<Buffer>>> burst(int n, IntFunction<HttpRequest<Buffer>> request) {
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(request.apply(i).send());
    }
    return Future.all(all).map(cf -> cf.list());
  }

  /** One after another, so the order of answers is the order of requests. */
  private static Future<List<HttpResponse<Buffer>>> sequence(int n,
      java.util.function.Supplier<Future<HttpResponse<Buffer>>> request) {
    Future<List<HttpResponse<Buffer>>> chain = Future.succeededFuture(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      chain = chain.compose(list -> request.get().map(r -> {
        list.add(r);
        return list;
      }));
    }
    return chain;
  }

  private static long count(List<HttpResponse<Buffer>> responses, int status) {
    return responses.stream().filter(r -> r.statusCode() == status).count();
  }

  private static List<Integer> statuses(List<HttpResponse<Buffer>> responses) {
    return responses.stream().map(HttpResponse::statusCode).toList();
  }
}
