package dev.sluice.gateway.proxy;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayUnderTest;
import dev.sluice.gateway.route.RouteReload;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Set;
import java.util.stream.Collectors;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

@ExtendWith(VertxExtension.class)
class MetricsAndReloadTest {
  static final MeterRegistry meters = new SimpleMeterRegistry();
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(GatewayNode.standalone(meters),
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(route("m", "/m", mock).put("stripPrefix", true)
        .put("retry", new JsonObject().put("maxAttempts", 3).put("initialDelayMs", 10).put("jitter", "none"))
        .put("rateLimit", new JsonObject().put("limit", 3).put("windowMs", 60_000)))
      .add(route("gone", "/gone", mock).put("stripPrefix", true))));

  @Test
  void everyRequestIsCountedUnderDesignsMetricNames(VertxTestContext ctx) {
    gateway.client().get("/m/flaky/metrics?fail=1").send()
      .compose(r -> gateway.client().get("/m/status/404").send())
      .compose(r -> gateway.client().get("/m/anything").send())
      .compose(r -> gateway.client().get("/m/anything").send())
      .onComplete(ctx.succeeding(limited -> ctx.verify(() -> {
        assertEquals(429, limited.statusCode());
        assertEquals(2.0, meters.get("sluice.requests").tags("route", "m", "method", "GET", "status", "200").counter().count(), 0.0);
        assertEquals(1.0, meters.get("sluice.requests").tags("route", "m", "status", "404").counter().count(), 0.0);
        assertEquals(1.0, meters.get("sluice.requests").tags("route", "m", "status", "429").counter().count(), 0.0);
        assertEquals(1.0, meters.get("sluice.rate.limited").tags("route", "m").counter().count(), 0.0);
        assertEquals(1.0, meters.get("sluice.retries").tags("route", "m").counter().count(), 0.0);
        assertEquals(1.0, meters.get("sluice.upstream.attempts").tags("route", "m", "outcome", "5xx").counter().count(), 0.0);
        assertEquals(2.0, meters.get("sluice.upstream.attempts").tags("route", "m", "outcome", "2xx").counter().count(), 0.0);
        assertEquals(4, meters.get("sluice.request.duration").tags("route", "m").timer().count());
        assertEquals(0.0, meters.get("sluice.circuit.state").tags("route", "m").gauge().value(), 0.0);
        assertEquals(0.0, meters.get("sluice.circuit.node.scope").tags("route", "m").gauge().value(), 0.0);
        for (String to : new String[] {"open", "half_open", "closed"}) {
          assertEquals(0.0, meters.get("sluice.circuit.transitions").tags("route", "m", "to", to)
            .counter().count(), 0.0, "declared at 0 before the first transition");
        }
        // The labels DESIGN.md names, no others: {route,to}.
        meters.find("sluice.circuit.transitions").counters().forEach(c ->
          assertEquals(Set.of("route", "to"), c.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toSet())));
        ctx.completeNow();
      })));
  }

  @Test
  void aPublishedRouteTableIsSwappedInAndABadOneIsIgnored(VertxTestContext ctx) {
    Vertx vertx = gateway.vertx();
    String mockUrl = "http://127.0.0.1:" + gateway.mockPort();
    // Keeps "m" exactly as configured (the other test's meters live on it) and drops "gone".
    JsonObject good = new JsonObject().put("routes", new JsonArray()
      .add(route("m", "/m", mockUrl).put("stripPrefix", true)
        .put("retry", new JsonObject().put("maxAttempts", 3).put("initialDelayMs", 10).put("jitter", "none"))
        .put("rateLimit", new JsonObject().put("limit", 3).put("windowMs", 60_000)))
      .add(route("fresh", "/fresh", mockUrl).put("stripPrefix", true)));
    JsonObject bad = new JsonObject().put("routes", new JsonArray()
      .add(new JsonObject().put("name", "broken").put("prefix", "nope").put("upstream", "ftp://x")));
    vertx.eventBus().publish(RouteReload.ADDRESS, bad);
    // A bad table is dropped on arrival; give it the time a good one takes to land, then look.
    vertx.timer(200).compose(t -> gateway.client().get("/gone/anything").send())
      .compose(stillOld -> {
        ctx.verify(() -> assertNotEquals(404, stillOld.statusCode(), "a bad table changes nothing"));
        vertx.eventBus().publish(RouteReload.ADDRESS, good);
        return poll(vertx, "/fresh/anything", 200, 40);
      })
      .compose(fresh -> {
        ctx.verify(() -> assertEquals(200, fresh));
        return gateway.client().get("/gone/anything").send();
      })
      .onComplete(ctx.succeeding(old -> ctx.verify(() -> {
        assertEquals(404, old.statusCode(), "the old route is gone");
        assertNotNull(meters.find("sluice.circuit.state").tag("route", "fresh").gauge());
        assertNotNull(meters.find("sluice.circuit.node.scope").tag("route", "fresh").gauge());
        assertNull(meters.find("sluice.circuit.state").tag("route", "gone").gauge(), "a retired circuit's gauges go");
        assertNull(meters.find("sluice.circuit.node.scope").tag("route", "gone").gauge());
        ctx.completeNow();
      })));
  }

  /** The status of {@code uri} once it is {@code wanted}, or the last one after a bounded number of tries. */
  private Future<Integer> poll(Vertx vertx, String uri, int wanted, int tries) {
    return gateway.client().get(uri).send().compose(r -> {
      if (r.statusCode() == wanted || tries <= 1) {
        return Future.succeededFuture(r.statusCode());
      }
      return vertx.timer(25).compose(t -> poll(vertx, uri, wanted, tries - 1));
    });
  }
}
