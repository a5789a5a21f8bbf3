package dev.sluice.gateway.limit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

/** Bounds how long a caller waits for a future; the call itself goes on, and a late answer is dropped. */
final class Deadline {
  private Deadline() {
  }

  static <T> Future<T> within(Vertx vertx, long timeoutMs, String what, Future<T> call) {
    Promise<T> promise = Promise.promise();
    long timer = vertx.setTimer(timeoutMs,
        id -> promise.tryFail(new TimeoutException(what + " did not answer within " + timeoutMs + " ms")));
    call.onComplete(outcome -> {
      vertx.cancelTimer(timer);
      if (outcome.succeeded()) {
        promise.tryComplete(outcome.result());
      } else {
        promise.tryFail(outcome.cause());
      }
    });
    return promise.future();
  }
}
