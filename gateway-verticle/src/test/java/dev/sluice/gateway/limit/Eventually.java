package dev.sluice.gateway.limit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Polls a condition on vertx timers until it holds, failing after a bound: tests never sleep for a state. */
final class Eventually {
  private static final long POLL_MS = 20;

  private Eventually() {
  }

  static Future<Void> until(Vertx vertx, long boundMs, String what, Supplier<Future<Boolean>> condition) {
    return poll(vertx, System.nanoTime() + boundMs * 1_000_000, boundMs, what, condition);
  }

  private static Future<Void> poll(Vertx vertx, long deadline, long boundMs, String what,
                                   Supplier<Future<Boolean>> condition) {
    return condition.get().compose(holds -> {
      if (holds) {
        return Future.succeededFuture();
      }
      if (System.nanoTime() > deadline) {
        return Future.failedFuture(new TimeoutException(what + ": not true within " + boundMs + " ms"));
      }
      return vertx.timer(POLL_MS).compose(v -> poll(vertx, deadline, boundMs, what, condition));
    });
  }
}
