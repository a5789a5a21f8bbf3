package dev.sluice.gateway.limit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds how long callers wait, like {@link Deadline}, for a stream of calls that share one
 * timeout: the calls start in deadline order, so they wait in a queue and one timer, armed for the
 * oldest unanswered call, fails whatever has expired. A timer per call (armed and cancelled on
 * every request) costs more than the queue; here a busy limiter arms about one timer per timeout
 * period. The call itself goes on; a late answer is dropped.
 */
final class DeadlineQueue {
  private final Vertx vertx;
  private final long timeoutMs;
  private final long timeoutNanos;
  private final String what;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private boolean armed;

  DeadlineQueue(Vertx vertx, long timeoutMs, String what) {
    if (timeoutMs < 1) {
      throw new IllegalArgumentException("timeoutMs must be >= 1, was " + timeoutMs);
    }
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    this.what = what;
  }

  <T> Future<T> within(Future<T> call) {
    if (call.isComplete()) {
      return call;
    }
    Promise<T> promise = Promise.promise();
    call.onComplete(outcome -> {
      if (outcome.succeeded()) {
        promise.tryComplete(outcome.result());
      } else {
        promise.tryFail(outcome.cause());
      }
    });
    synchronized (this) {
      waiting.addLast(new Waiting(System.nanoTime() + timeoutNanos, promise));
      if (!armed) {
        armed = true;
        vertx.setTimer(timeoutMs, id -> expire());
      }
    }
    return promise.future();
  }

  private void expire() {
    long now = System.nanoTime();
    List<Promise<?>> expired = new ArrayList<>();
    synchronized (this) {
      Waiting head;
      while ((head = waiting.peekFirst()) != null
          && (head.promise.future().isComplete() || head.deadlineNanos - now <= 0)) {
        waiting.pollFirst();
        if (!head.promise.future().isComplete()) {
          expired.add(head.promise);
        }
      }
      if (head == null) {
        armed = false;
      } else {
        long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(head.deadlineNanos - now + 999_999));
        vertx.setTimer(delayMs, id -> expire());
      }
    }
    // Failed outside the lock: a caller's callback may start another call.
    for (Promise<?> promise : expired) {
      promise.tryFail(new TimeoutException(what + " did not answer within " + timeoutMs + " ms"));
    }
  }

  /** For tests and health views: calls still waiting or not yet swept out. */
  synchronized int size() {
    return waiting.size();
  }

  private record Waiting(long deadlineNanos, Promise<?> promise) {
  }
}
