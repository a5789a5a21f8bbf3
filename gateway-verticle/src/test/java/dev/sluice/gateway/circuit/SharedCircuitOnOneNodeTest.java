package dev.sluice.gateway.circuit;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One node, four gateway instances on four event loops: failures landing on different instances
 * add up to one threshold, and the circuit opens on all four.
 */
@ExtendWith(VertxExtension.class)
class SharedCircuitOnOneNodeTest {
  private static final int ROUNDS = 20;
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(GatewayNode.standalone(),
    (redis, mock) -> GatewayFixture.config(redis, routes(mock))).instances(4);
  static WebClient fresh;
  static WebClient mock;

  @BeforeAll
  static void clients() {
    // No keep-alive: each request is a new connection, and Vert.x hands connections to the
    // instances in turn, so consecutive requests land on different instances.
    fresh = WebClient.create(gateway.vertx(), new WebClientOptions().setKeepAlive(false).setDefaultHost("127.0.0.1")
      .setDefaultPort(gateway.port()));
    mock = WebClient.create(gateway.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(gateway.mockPort()));
  }

  private static JsonArray routes(String mockUrl) {
    JsonArray routes = new JsonArray().add(route("shared", mockUrl));
    for (int round = 0; round < ROUNDS; round++) {
      routes.add(route("round" + round, mockUrl));
    }
    return routes;
  }

  private static JsonObject route(String name, String mockUrl) {
    return new JsonObject().put("name", name).put("prefix", "/" + name)
      .put("upstream", mockUrl).put("stripPrefix", true)
      .put("retry", new JsonObject().put("maxAttempts", 1))
      .put("circuit", new JsonObject().put("failureThreshold", 3).put("resetTimeoutMs", 60_000));
  }

  /** What users read {@code failureThreshold: 3} as: the fourth call is refused, whichever instance takes it. */
  @Test
  void theFourthCallOnAFreshConnectionIsRefusedRoundAfterRound(VertxTestContext ctx) {
    Future<Void> rounds = Future.succeededFuture();
    for (int round = 0; round < ROUNDS; round++) {
      String route = "/round" + round;
      int n = round;
      rounds = rounds.compose(v -> sendSequentially(4, route + "/status/500")).map(answers -> {
        ctx.verify(() -> {
          for (int i = 0; i < 3; i++) {
            assertEquals(500, answers.get(i).statusCode(), "round " + n + ", call " + (i + 1));
          }
          assertEquals(503, answers.get(3).statusCode(), "round " + n + ": the fourth call");
          assertEquals("CIRCUIT_OPEN", answers.get(3).bodyAsJsonObject().getString("code"));
        });
        return null;
      });
    }
    rounds.onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void threeFailuresOnDifferentInstancesOpenTheRouteOnAllFour(VertxTestContext ctx) {
    Set<String> instances = new HashSet<>();
    sendSequentially(3, "/shared/status/500")
      // No wait: the instances of a node share the route's circuit, so the next request on any of them sees it.
      .compose(failures -> {
        ctx.verify(() -> failures.forEach(r -> assertEquals(500, r.statusCode())));
        return Future.succeededFuture();
      })
      .compose(v -> mock.get("/__mock/stats").send().map(r -> r.bodyAsJsonObject().getInteger("total")))
      .compose(callsBefore -> sendSequentially(12, "/shared/status/200")
        .compose(after -> mock.get("/__mock/stats").send().map(r -> {
          ctx.verify(() -> {
            after.forEach(r2 -> assertEquals(503, r2.statusCode(), "every instance answers CIRCUIT_OPEN"));
            after.forEach(r2 -> assertEquals("CIRCUIT_OPEN", r2.bodyAsJsonObject().getString("code")));
            assertEquals(callsBefore, r.bodyAsJsonObject().getInteger("total"), "nothing reached the upstream");
          });
          return after;
        })))
      .compose(v -> snapshots(gateway.vertx()))
      .onComplete(ctx.succeeding(views -> ctx.verify(() -> {
        assertEquals(4, views.size(), "one snapshot per instance");
        for (InstanceSnapshot view : views) {
          instances.add(view.instance());
          assertEquals(CircuitBreakerState.OPEN, view.routes().get(0).state());
          assertEquals(CircuitScope.CLUSTER, view.routes().get(0).scope());
        }
        assertEquals(4, instances.size());
        ctx.completeNow();
      })));
  }

  /** Gathers every instance's snapshot the way the admin verticle does. */
  static Future<List<InstanceSnapshot>> snapshots(Vertx vertx) {
    return new CircuitBus(vertx).gatherSnapshots(200);
  }

  private Future<List<HttpResponse<Buffer>>> sendSequentially(int n, String uri) {
    Future<List<HttpResponse<Buffer>>> chain = Future.succeededFuture(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      chain = chain.compose(list -> fresh.get(uri).send().map(r -> {
        list.add(r);
        return list;
      }));
    }
    return chain;
  }
}
