package dev.sluice.mock;

import static dev.sluice.mock.MockServer.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlakyEndpointTest extends MockServerTest {

  @Test
  void failsExactlyTheFirstNCallsThenSucceeds(VertxTestContext ctx) {
    verify(ctx, mock.getInSequence("/flaky/orders?fail=3", 5), responses -> {
      assertEquals(List.of(503, 503, 503, 200, 200), statuses(responses));
      for (int call = 1; call <= 3; call++) {
        assertEquals(new JsonObject().put("status", 503).put("key", "orders").put("call", call),
            responses.get(call - 1).bodyAsJsonObject());
      }
      assertEquals(new JsonObject().put("key", "orders").put("call", 4), responses.get(3).bodyAsJsonObject());
      assertEquals(new JsonObject().put("key", "orders").put("call", 5), responses.get(4).bodyAsJsonObject());
    });
  }

  @Test
  void countsEachKeyIndependently(VertxTestContext ctx) {
    var interleaved = mock.get("/flaky/a?fail=2")
        .compose(a1 -> mock.get("/flaky/b?fail=1")
        .compose(b1 -> mock.get("/flaky/a?fail=2")
        .compose(a2 -> mock.get("/flaky/b?fail=1")
        .compose(b2 -> mock.get("/flaky/a?fail=2")
        .map(a3 -> List.of(a1, b1, a2, b2, a3))))));
    verify(ctx, interleaved, responses ->
        assertEquals(List.of(503, 503, 503, 200, 200), statuses(responses)));
  }

  @Test
  void addsRetryAfterToTheFailuresOnly(VertxTestContext ctx) {
    verify(ctx, mock.getInSequence("/flaky/k?fail=1&retryAfter=2", 2), responses -> {
      assertEquals(List.of(503, 200), statuses(responses));
      assertEquals("2", responses.get(0).getHeader("Retry-After"));
      assertNull(responses.get(1).getHeader("Retry-After"));
    });
  }

  @Test
  void failZeroNeverFails(VertxTestContext ctx) {
    verify(ctx, mock.get("/flaky/k?fail=0"), response -> assertEquals(200, response.statusCode()));
  }

  @Test
  void aBadCallIsRejectedWithoutUsingUpAFailure(VertxTestContext ctx) {
    var calls = mock.get("/flaky/k")
        .compose(missingFail -> mock.get("/flaky/k?fail=1").map(first -> List.of(missingFail, first)));
    verify(ctx, calls, responses -> {
      assertEquals(400, responses.get(0).statusCode());
      assertEquals("fail", responses.get(0).bodyAsJsonObject().getString("field"));
      assertEquals(503, responses.get(1).statusCode());
      assertEquals(1, responses.get(1).bodyAsJsonObject().getInteger("call"));
    });
  }

  static List<Integer> statuses(List<HttpResponse<Buffer>> responses) {
    List<Integer> statuses = new ArrayList<>();
    responses.forEach(response -> statuses.add(response.statusCode()));
    return statuses;
  }
}
