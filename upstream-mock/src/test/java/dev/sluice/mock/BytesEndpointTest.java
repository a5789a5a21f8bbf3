package dev.sluice.mock;

import static dev.sluice.mock.MockServer.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

class BytesEndpointTest extends MockServerTest {

  @Test
  void answersExactlyTheBytesAskedForInThePattern(VertxTestContext ctx) {
    verify(ctx, mock.get("/bytes/70000"), response -> {
      assertEquals(200, response.statusCode());
      assertEquals("application/octet-stream", response.getHeader("Content-Type"));
      Buffer body = response.body();
      assertEquals(70000, body.length());
      int i = 65536 + 300;
      int j = i % 65536;
      assertEquals((byte) (j * 31 + (j >> 8)), body.getByte(i));
    });
  }

  @Test
  void refusesMoreThanItMayHold(VertxTestContext ctx) {
    verify(ctx, mock.get("/bytes/" + (BytesEndpoint.MAX_BYTES + 1)), response -> assertEquals(400, response.statusCode()));
  }
}
