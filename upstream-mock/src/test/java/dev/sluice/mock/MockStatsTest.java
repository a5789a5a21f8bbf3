package dev.sluice.mock;

import static dev.sluice.mock.MockServer.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class MockStatsTest extends MockServerTest {

  @Test
  void countsEveryCallByPathMethodAndRequestId(VertxTestContext ctx) {
    var stats = mock.request(HttpMethod.GET, "/anything/a?x=1").putHeader("X-Request-Id", "r1").send()
        .compose(r -> mock.request(HttpMethod.POST, "/anything/a").putHeader("X-Request-Id", "r2").sendBuffer(Buffer.buffer("x")))
        .compose(r -> mock.request(HttpMethod.POST, "/status/500").putHeader("X-Request-Id", "r2").send())
        .compose(r -> mock.get("/"))
        .compose(r -> mock.stats());
    verify(ctx, stats, json -> {
      assertEquals(4, json.getLong("total"));
      assertEquals(new JsonObject().put("/anything/a", 2).put("/status/500", 1).put("/", 1), json.getJsonObject("byPath"));
      assertEquals(new JsonObject().put("r1", 1).put("r2", 2), json.getJsonObject("byRequestId"));
      assertEquals(new JsonObject().put("GET", 2).put("POST", 2), json.getJsonObject("byMethod"));
      assertEquals(new JsonObject().put("byPath", 0).put("byRequestId", 0).put("byMethod", 0), json.getJsonObject("overflow"));
    });
  }

  @Test
  void controlCallsAreNotCounted(VertxTestContext ctx) {
    var stats = mock.get("/__mock/config")
        .compose(r -> mock.stats())
        .compose(r -> mock.get("/__mock/nothing-here"))
        .compose(r -> mock.stats());
    verify(ctx, stats, json -> {
      assertEquals(0, json.getLong("total"));
      assertEquals(new JsonObject(), json.getJsonObject("byPath"));
    });
  }

  @Test
  void injectedFailuresAndRejectedCallsStillCount(VertxTestContext ctx) {
    var stats = mock.get("/status/nope")
        .compose(r -> mock.configure(new JsonObject().put("failureRate", 1)))
        .compose(r -> mock.get("/anything"))
        .compose(r -> mock.stats());
    verify(ctx, stats, json -> assertEquals(2, json.getLong("total")));
  }

  @Test
  void stopsItemisingNewKeysAtTheLimitButKeepsCountingOldOnes(Vertx vertx, VertxTestContext ctx) {
    var stats = MockServer.start(vertx, new UpstreamMockOptions().setPort(0).setMaxTrackedKeys(2))
        .compose(small -> small.get("/a")
            .compose(r -> small.get("/b"))
            .compose(r -> small.get("/c"))
            .compose(r -> small.get("/a"))
            .compose(r -> small.stats()));
    verify(ctx, stats, json -> {
      assertEquals(4, json.getLong("total"));
      assertEquals(new JsonObject().put("/a", 2).put("/b", 1), json.getJsonObject("byPath"));
      assertEquals(1, json.getJsonObject("overflow").getLong("byPath"));
    });
  }

  @Test
  void resetClearsStatsFlakyCountersAndConfig(VertxTestContext ctx) {
    var afterReset = mock.getInSequence("/flaky/k?fail=1", 2)
        .compose(r -> mock.configure(new JsonObject().put("latencyMs", 1).put("failureRate", 0.5)))
        .compose(r -> mock.request(HttpMethod.POST, "/__mock/reset").send())
        .compose(reset -> mock.stats()
            .compose(stats -> mock.get("/__mock/config")
            .compose(config -> mock.get("/flaky/k?fail=1")
            .map(flaky -> List.of(reset.bodyAsJsonObject(), stats, config.bodyAsJsonObject(),
                flaky.bodyAsJsonObject())))));
    verify(ctx, afterReset, json -> {
      assertEquals(new JsonObject().put("reset", true), json.get(0));
      assertEquals(0, json.get(1).getLong("total"));
      assertEquals(new JsonObject(), json.get(1).getJsonObject("byPath"));
      assertEquals(new JsonObject().put("failureRate", 0.0).put("latencyMs", 0), json.get(2));
      assertEquals(new JsonObject().put("status", 503).put("key", "k").put("call", 1), json.get(3));
    });
  }
}
