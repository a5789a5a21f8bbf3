package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/** Waiting without blocking the event loop. */
final class Delays {
  private Delays() {
  }

  static Future<Void> after(Vertx vertx, long delayMs) {
    // Vert.x refuses timers under 1 ms; no delay means no timer at all (the benchmark path).
    return delayMs <= 0 ? Future.succeededFuture() : vertx.timer(delayMs, TimeUnit.MILLISECONDS);
  }
}
