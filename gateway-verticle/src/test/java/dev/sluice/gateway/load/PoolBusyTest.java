package dev.sluice.gateway.load;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayUnderTest;
import dev.sluice.gateway.upstream.UpstreamClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Queueing is not failure, end to end: more slow requests at once than one instance has pooled
 * connections to the target. Those that find no connection within {@code http.poolWaitMs} are
 * answered 503 UPSTREAM_BUSY, counted per target, never sent, and the route's circuit (threshold
 * 3) stays closed.
 */
class PoolBusyTest {
  static final int POOL = UpstreamClient.DEFAULT_MAX_CONNECTIONS_PER_UPSTREAM;
  static final int EXCESS = 40;
  /** Longer than the connect timeout (2 s) plus the pool wait, so the queued ones give up first. */
  static final int SLOW_MS = 4000;
  static final MeterRegistry meters = new SimpleMeterRegistry();

  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(GatewayNode.standalone(meters),
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
        .add(route("pooled", "/p", mock).put("stripPrefix", true).put("timeoutMs", 5000)
          .put("retry", new JsonObject().put("maxAttempts", 1))
          .put("circuit", new JsonObject().put("failureThreshold", 3))))
      .put("http", new JsonObject().put("poolWaitMs", 100)));

  @Test
  void requestsThatFindNoPooledConnectionInTimeAreBusyNotAFailureOfTheUpstream() throws Exception {
    int requests = POOL + EXCESS;
    HttpClient client = gateway.vertx().createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1"),
      new PoolOptions().setHttp1MaxSize(requests));
    try {
      List<Future<Answer>> answers = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        answers.add(Answer.get(client, gateway.port(), "/p/delay/" + SLOW_MS));
      }
      List<Answer> all = LoadSheddingTest.awaitAll(answers);

      List<Answer> busy = all.stream().filter(a -> a.status() == 503).toList();
      assertEquals(POOL, all.stream().filter(a -> a.status() == 200).count(), "one per pooled connection");
      assertEquals(EXCESS, busy.size(), all.toString());
      busy.forEach(a -> {
        assertEquals("UPSTREAM_BUSY", a.code());
        assertEquals("1", a.retryAfter());
      });
      assertEquals(POOL, (int) LoadSheddingTest.await(gateway.mockStats()).getJsonObject("byPath")
        .getInteger("/delay/" + SLOW_MS), "a busy request is never sent");
      String target = "http://127.0.0.1:" + gateway.mockPort();
      assertEquals(EXCESS, meters.get("sluice.upstream.pending.overflow").tags("route", "pooled", "target", target)
        .counter().count(), 0.0);
      assertEquals(0.0, meters.get("sluice.circuit.state").tags("route", "pooled").gauge().value(), 0.0,
        EXCESS + " busy answers, a threshold of 3: the circuit stays closed");
      assertEquals(200, LoadSheddingTest.await(Answer.get(client, gateway.port(), "/p/anything/after")).status());
    } finally {
      client.close().await(30, TimeUnit.SECONDS);
    }
  }
}
