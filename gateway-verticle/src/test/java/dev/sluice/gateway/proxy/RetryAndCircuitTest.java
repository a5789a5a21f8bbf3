package dev.sluice.gateway.proxy;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retries, the breaker, timeouts and dead upstreams, against a real upstream-mock. */
@ExtendWith(VertxExtension.class)
class RetryAndCircuitTest {
  static JsonObject retry(int maxAttempts, long initialDelayMs) {
    return new JsonObject().put("maxAttempts", maxAttempts).put("initialDelayMs", initialDelayMs)
      .put("multiplier", 2.0).put("maxDelayMs", 1500).put("jitter", "none");
  }

  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
    .add(route("retry", "/r", mock).put("stripPrefix", true).put("retry", retry(3, 100))
      .put("circuit", new JsonObject().put("failureThreshold", 100)))
    .add(route("breaker", "/b", mock).put("stripPrefix", true).put("retry", retry(1, 10))
      .put("circuit", new JsonObject().put("failureThreshold", 3).put("resetTimeoutMs", 1000)))
    .add(route("slow", "/s", mock).put("stripPrefix", true).put("timeoutMs", 300).put("retry", retry(1, 10)))
    .add(route("down", "/d", deadUpstream()).put("stripPrefix", true).put("retry", retry(2, 10))
      .put("circuit", new JsonObject().put("failureThreshold", 100)))));

  /** A base URL whose port nothing listens on. */
  static String deadUpstream() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @BeforeEach
  void resetMock(VertxTestContext ctx) {
    gateway.resetMock().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aFlakyGetSucceedsOnTheThirdAttemptSpacedByThePolicy(VertxTestContext ctx) {
    long start = System.nanoTime();
    gateway.client().get("/r/flaky/get-k?fail=2").send()
      .compose(r -> gateway.mockStats().map(stats -> {
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        ctx.verify(() -> {
          assertEquals(200, r.statusCode());
          assertEquals(3, stats.getJsonObject("byPath").getInteger("/flaky/get-k"));
          // jitter none: 100 ms then 200 ms before the attempts; only the lower bound is a fact
          assertTrue(elapsedMs >= 300, "attempts must be spaced by the policy, took " + elapsedMs + " ms");
        });
        return r;
      }))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aPostIsSentExactlyOnceEvenWhenItFails(VertxTestContext ctx) {
    gateway.client().post("/r/flaky/post-k?fail=2").putHeader("X-Request-Id", "pay-1").sendBuffer(Buffer.buffer("{}"))
      .compose(r -> gateway.mockStats().map(stats -> {
        ctx.verify(() -> {
          assertEquals(503, r.statusCode(), "the upstream's own answer passes through");
          assertEquals(1, stats.getJsonObject("byRequestId").getInteger("pay-1"));
        });
        return r;
      }))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aPostWithAnIdempotencyKeyIsRetried(VertxTestContext ctx) {
    gateway.client().post("/r/flaky/idem-k?fail=2").putHeader("X-Request-Id", "pay-2")
      .putHeader("Idempotency-Key", "order-77").sendBuffer(Buffer.buffer("{}"))
      .compose(r -> gateway.mockStats().map(stats -> {
        ctx.verify(() -> {
          assertEquals(200, r.statusCode());
          assertEquals(3, stats.getJsonObject("byRequestId").getInteger("pay-2"));
        });
        return r;
      }))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anUpstreamRetryAfterIsHonoured(VertxTestContext ctx) {
    long start = System.nanoTime();
    gateway.client().get("/r/flaky/ra-k?fail=1&retryAfter=1").send()
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, r.statusCode());
        assertTrue(elapsedMs >= 1000, "Retry-After: 1 must delay the retry by a second, took " + elapsedMs + " ms");
        ctx.completeNow();
      })));
  }

  @Test
  void aStatusOutsideRetryOnIsNotRetried(VertxTestContext ctx) {
    gateway.client().get("/r/status/500").send()
      .compose(r -> gateway.mockStats().map(stats -> {
        ctx.verify(() -> {
          assertEquals(500, r.statusCode());
          assertEquals(1, stats.getJsonObject("byPath").getInteger("/status/500"));
        });
        return r;
      }))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void theCircuitOpensAfterTheThresholdThenProbesAndCloses(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> failures = gateway.client().get("/b/status/500").send()
      .compose(r -> gateway.client().get("/b/status/500").send())
      .compose(r -> gateway.client().get("/b/status/500").send());
    failures
      .compose(third -> {
        ctx.verify(() -> assertEquals(500, third.statusCode()));
        return gateway.client().get("/b/status/200").send();
      })
      .compose(open -> gateway.mockStats().map(stats -> {
        ctx.verify(() -> {
          assertEquals(503, open.statusCode());
          assertEquals("CIRCUIT_OPEN", open.bodyAsJsonObject().getString("code"));
          assertEquals("1", open.getHeader("Retry-After"), "whole seconds until a probe, rounded up");
          assertEquals(null, stats.getJsonObject("byPath").getInteger("/status/200"), "an open circuit calls nobody");
        });
        return open;
      }))
      .compose(v -> pollUntilStatus("/b/status/200", 200, 100))
      .compose(probe -> gateway.client().get("/b/status/200").send())
      .onComplete(ctx.succeeding(closed -> ctx.verify(() -> {
        assertEquals(200, closed.statusCode(), "a successful probe closes the circuit");
        ctx.completeNow();
      })));
  }

  @Test
  void aSlowUpstreamGives504WithinTheTimeout(VertxTestContext ctx) {
    long start = System.nanoTime();
    gateway.client().get("/s/delay/5000").send()
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, r.statusCode());
        assertEquals("UPSTREAM_TIMEOUT", r.bodyAsJsonObject().getString("code"));
        assertTrue(elapsedMs < 3000, "timeoutMs 300 must answer long before the upstream, took " + elapsedMs);
        ctx.completeNow();
      })));
  }

  @Test
  void aDeadUpstreamGives502AfterRetries(VertxTestContext ctx) {
    gateway.client().get("/d/anything").send()
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(502, r.statusCode());
        assertEquals("UPSTREAM_UNAVAILABLE", r.bodyAsJsonObject().getString("code"));
        ctx.completeNow();
      })));
  }

  /** Polls (bounded) until the gateway answers {@code status}: the breaker's reset is a timer, not a sleep. */
  private Future<HttpResponse<Buffer>> pollUntilStatus(String uri, int status, int triesLeft) {
    return gateway.client().get(uri).send().compose(r -> {
      if (r.statusCode() == status || triesLeft <= 0) {
        return Future.succeededFuture(r);
      }
      return gateway.vertx().timer(50).compose(t -> pollUntilStatus(uri, status, triesLeft - 1));
    });
  }
}
