package dev.sluice.mock;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A fresh upstream-mock per test, on an ephemeral port, with a client pointed at it. */
@ExtendWith(VertxExtension.class)
abstract class MockServerTest {
  MockServer mock;

  @BeforeEach
  void startMock(Vertx vertx, VertxTestContext ctx) {
    MockServer.start(vertx).onComplete(ctx.succeeding(started -> {
      mock = started;
      ctx.completeNow();
    }));
  }
}
