package dev.sluice.gateway.stats;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayUnderTest;
import dev.sluice.gateway.route.RouteReload;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sluice.stats from a real gateway, real upstream-mock and real Redis, and the meters it reads. */
class StatsPublisherTest {
  static final MeterRegistry meters = new SimpleMeterRegistry();
  static final GatewayNode node = GatewayNode.standalone(meters);
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(node, (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
    .add(route("limited", "/limited", mock).put("stripPrefix", true)
      .put("rateLimit", new JsonObject().put("limit", 3).put("windowMs", 60_000))
      .put("retry", new JsonObject().put("maxAttempts", 2).put("initialDelayMs", 5).put("jitter", "none")))
    .add(route("quiet", "/quiet", mock))));

  @BeforeAll
  static void startPublisher() {
    // A short interval keeps the test quick; the numbers are the same whatever the interval.
    gateway.vertx().deployVerticle(new StatsPublisher(gateway.config(), node, 200)).await();
  }

  @Test
  void routeCountersExistAtZeroBeforeTheFirstEventAndForRoutesAReloadAdds() {
    assertEquals(0.0, counter("sluice.rate.limited", "quiet").count());
    assertEquals(0.0, counter("sluice.retries", "quiet").count());
    assertNotNull(meters.find("sluice.circuit.transitions").tag("route", "quiet").tag("to", "open").counter());
    assertNotNull(meters.find("sluice.request.duration").tag("route", "quiet").timer());

    JsonObject table = new JsonObject().put("version", 5).put("routes", new JsonArray()
      .add(route("added", "/added", "http://127.0.0.1:" + gateway.mockPort()))
      .add(route("limited", "/limited", "http://127.0.0.1:" + gateway.mockPort()))
      .add(route("quiet", "/quiet", "http://127.0.0.1:" + gateway.mockPort())));
    gateway.vertx().eventBus().publish(RouteReload.ADDRESS, table);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (meters.find("sluice.rate.limited").tag("route", "added").counter() == null && System.nanoTime() < deadline) {
      gateway.vertx().timer(20).await();
    }
    assertEquals(0.0, counter("sluice.rate.limited", "added").count());
  }

  @Test
  void eachIntervalCarriesTheRoutesRequestsRateLimitsErrorsRetriesAndLatency() {
    JsonObject sums = new JsonObject().put("requests", 0L).put("rateLimited", 0L).put("serverErrors", 0L)
      .put("retries", 0L);
    Promise<Void> seen = Promise.promise();
    boolean[] latency = {false};
    MessageConsumer<JsonObject> consumer = gateway.vertx().eventBus().consumer(NodeStats.ADDRESS, m -> {
      NodeStats stats = NodeStats.fromJson(m.body());
      assertEquals(node.id(), stats.node());
      stats.routes().stream().filter(r -> r.route().equals("limited")).forEach(r -> {
        sums.put("requests", sums.getLong("requests") + r.requests())
          .put("rateLimited", sums.getLong("rateLimited") + r.rateLimited())
          .put("serverErrors", sums.getLong("serverErrors") + r.serverErrors())
          .put("retries", sums.getLong("retries") + r.retries());
        latency[0] |= r.requests() > 0 && r.p50Ms() != null && r.p99Ms() != null && r.p50Ms() <= r.p99Ms();
      });
      if (sums.getLong("requests") >= 5 && sums.getLong("rateLimited") >= 2) {
        seen.tryComplete();
      }
    });
    consumer.completion().await();
    // 1: a flaky call retried once (2 attempts); 2: a 500 passed through; 3: a 200; then two 429s.
    gateway.client().get("/limited/flaky/stats?fail=1").send()
      .compose(r -> gateway.client().get("/limited/status/500").send())
      .compose(r -> gateway.client().get("/limited/anything").send())
      .compose(r -> gateway.client().get("/limited/anything").send())
      .compose(r -> gateway.client().get("/limited/anything").send())
      .await();
    seen.future().timeout(10, TimeUnit.SECONDS).await();
    consumer.unregister().await();
    assertEquals(new JsonObject().put("requests", 5L).put("rateLimited", 2L).put("serverErrors", 1L).put("retries", 1L),
      sums);
    assertTrue(latency[0], "an interval with requests has p50 <= p99");
  }

  private static Counter counter(String name, String route) {
    Counter counter = meters.find(name).tag("route", route).counter();
    assertNotNull(counter, name + "{route=" + route + "}");
    return counter;
  }
}
