package dev.sluice.mock;

import static dev.sluice.mock.MockServer.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MockConfigTest extends MockServerTest {

  @Test
  void failureRateOneFailsEveryCallWith500AfterTheAddedLatency(VertxTestContext ctx) {
    JsonObject settings = new JsonObject().put("failureRate", 1.0).put("latencyMs", 300);
    long[] startedAt = new long[1];
    var outcome = mock.configure(settings)
        .compose(configured -> {
          startedAt[0] = System.nanoTime();
          return mock.get("/anything");
        })
        .map(failed -> List.of(failed, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt[0])));
    verify(ctx, outcome, result -> {
      @SuppressWarnings("unchecked")
      HttpResponse<Buffer> failed = (HttpResponse<Buffer>) result.get(0);
      long elapsedMs = (Long) result.get(1);
      assertEquals(500, failed.statusCode());
      assertEquals("INJECTED_FAILURE", failed.bodyAsJsonObject().getString("error"));
      assertTrue(elapsedMs >= 250, "answered after " + elapsedMs + " ms");
    });
  }

  @Test
  void configuredSettingsAreReadBack(VertxTestContext ctx) {
    var readBack = mock.configure(new JsonObject().put("failureRate", 0.25).put("latencyMs", 5))
        .compose(posted -> mock.get("/__mock/config").map(got -> List.of(posted, got)));
    verify(ctx, readBack, responses -> {
      JsonObject expected = new JsonObject().put("failureRate", 0.25).put("latencyMs", 5);
      assertEquals(expected, responses.get(0).bodyAsJsonObject());
      assertEquals(expected, responses.get(1).bodyAsJsonObject());
    });
  }

  @Test
  void absentFieldsKeepTheirValue(VertxTestContext ctx) {
    var merged = mock.configure(new JsonObject().put("failureRate", 0.5))
        .compose(first -> mock.configure(new JsonObject().put("latencyMs", 10)));
    verify(ctx, merged, response ->
        assertEquals(new JsonObject().put("failureRate", 0.5).put("latencyMs", 10), response.bodyAsJsonObject()));
  }

  @Test
  void controlCallsAreNeverFailedNorDelayed(VertxTestContext ctx) {
    var stats = mock.configure(new JsonObject().put("failureRate", 1).put("latencyMs", 60_000))
        .compose(configured -> mock.get("/__mock/stats"));
    verify(ctx, stats, response -> assertEquals(200, response.statusCode()));
  }

  @Test
  void aPartialFailureRateFailsSomeCallsAndNotOthers(VertxTestContext ctx) {
    var calls = mock.configure(new JsonObject().put("failureRate", 0.5))
        .compose(configured -> mock.getInSequence("/static", 100));
    verify(ctx, calls, responses -> {
      List<Integer> statuses = FlakyEndpointTest.statuses(responses);
      // Both outcomes are missing from 100 fair coin flips with probability 2^-99.
      assertTrue(statuses.contains(500), "no call failed");
      assertTrue(statuses.contains(200), "every call failed");
    });
  }

  @Test
  void aCallPickedToFailDoesNotReachItsEndpoint(VertxTestContext ctx) {
    var flaky = mock.configure(new JsonObject().put("failureRate", 1))
        .compose(configured -> mock.get("/flaky/k?fail=1"))
        .compose(injected -> mock.configure(new JsonObject().put("failureRate", 0)))
        .compose(cleared -> mock.get("/flaky/k?fail=1"));
    verify(ctx, flaky, response -> {
      assertEquals(503, response.statusCode());
      assertEquals(1, response.bodyAsJsonObject().getInteger("call"));
    });
  }

  @Test
  void rejectsInvalidSettingsNamingTheFieldAndKeepsTheOldOnes(VertxTestContext ctx) {
    List<String> bodies = List.of(
        "{\"failureRate\":1.5}", "{\"failureRate\":-0.1}", "{\"failureRate\":\"half\"}",
        "{\"latencyMs\":-1}", "{\"latencyMs\":2.5}", "{\"latencyMs\":60001}",
        "{\"latency\":5}", "not json", "[1,2]", "");
    List<String> fields = List.of(
        "failureRate", "failureRate", "failureRate",
        "latencyMs", "latencyMs", "latencyMs",
        "latency", "body", "body", "body");
    var answers = Future.all(bodies.stream()
            .map(body -> mock.request(io.vertx.core.http.HttpMethod.POST, "/__mock/config")
                .sendBuffer(Buffer.buffer(body)))
            .toList())
        .map(all -> all.<HttpResponse<Buffer>>list())
        .compose(responses -> mock.get("/__mock/config").map(config -> List.of(responses, config)));
    verify(ctx, answers, result -> {
      @SuppressWarnings("unchecked")
      List<HttpResponse<Buffer>> responses = (List<HttpResponse<Buffer>>) result.get(0);
      for (int i = 0; i < bodies.size(); i++) {
        assertEquals(400, responses.get(i).statusCode(), bodies.get(i));
        JsonObject error = responses.get(i).bodyAsJsonObject();
        assertEquals(fields.get(i), error.getString("field"), bodies.get(i));
        assertTrue(error.getString("message").startsWith(fields.get(i) + ": "), error.encode());
      }
      @SuppressWarnings("unchecked")
      HttpResponse<Buffer> config = (HttpResponse<Buffer>) result.get(1);
      assertEquals(new JsonObject().put("failureRate", 0.0).put("latencyMs", 0), config.bodyAsJsonObject());
    });
  }
}
