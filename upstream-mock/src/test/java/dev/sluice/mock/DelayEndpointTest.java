package dev.sluice.mock;

import static dev.sluice.mock.MockServer.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DelayEndpointTest extends MockServerTest {

  @Test
  void answersNoSoonerThanTheDelay(VertxTestContext ctx) {
    long startedAt = System.nanoTime();
    verify(ctx, mock.get("/delay/300"), response -> {
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
      assertEquals(200, response.statusCode());
      assertEquals(new JsonObject().put("delayMs", 300), response.bodyAsJsonObject());
      // A lower bound only: the upper bound belongs to the benchmark, not to a unit test.
      assertTrue(elapsedMs >= 250, "answered after " + elapsedMs + " ms");
    });
  }

  @Test
  void zeroDelayAnswersWithoutATimer(VertxTestContext ctx) {
    verify(ctx, mock.get("/delay/0"), response -> assertEquals(200, response.statusCode()));
  }

  @Test
  void rejectsDelaysBeyondTheCap(VertxTestContext ctx) {
    verify(ctx, mock.get("/delay/60001"), response -> {
      assertEquals(400, response.statusCode());
      assertEquals("ms", response.bodyAsJsonObject().getString("field"));
    });
  }
}
