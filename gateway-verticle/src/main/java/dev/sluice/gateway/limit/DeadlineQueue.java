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
 *
 * <p>The deadline is the callee's time, not ours. When the timer itself fires late, this event loop
 * (or the whole process) was busy: a cold JVM's first burst, a GC pause, a host with more runnable
 * threads than cores. Answers that came in time may then be waiting unread in the socket, since a
 * loop runs its due timers before it reads again. Such a firing fails nothing: it re-arms, by as
 * long as it was late (at most {@code timeoutMs}), so the loop reads first. Only while our own
 * lateness lasts, and never past {@link #OWN_STALL_ALLOWANCE_MS} beyond the deadline: a caller waits
 * at most {@code timeoutMs} plus the time this process did not run, bounded.
 */
final class DeadlineQueue {
  /** Lateness of our own timer above which we read before we judge; a loaded host's usual jitter is below. */
  static final long LATE_TIMER_MS = 5;
  /** The most our own stalls may add to a caller's wait; a stall that long is an overloaded node. */
  static final long OWN_STALL_ALLOWANCE_MS = 1_000;

  private final Vertx vertx;
  private final long timeoutMs;
  private final long timeoutNanos;
  private final long allowanceNanos = TimeUnit.MILLISECONDS.toNanos(OWN_STALL_ALLOWANCE_MS);
  private final String what;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private boolean armed;
  private long dueNanos; // when the armed timer should fire

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
        arm(timeoutMs);
      }
    }
    return promise.future();
  }

  private void expire() {
    long now = System.nanoTime();
    List<Promise<?>> expired = new ArrayList<>();
    synchronized (this) {
      long lateMs = TimeUnit.NANOSECONDS.toMillis(now - dueNanos);
      if (lateMs > LATE_TIMER_MS && shouldReadFirst(now)) {
        arm(Math.min(lateMs, timeoutMs));
        return;
      }
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
        arm(Math.max(1, TimeUnit.NANOSECONDS.toMillis(head.deadlineNanos - now + 999_999)));
      }
    }
    // Failed outside the lock: a caller's callback may start another call.
    for (Promise<?> promise : expired) {
      promise.tryFail(new TimeoutException(what + " did not answer within " + timeoutMs + " ms"));
    }
  }

  private void arm(long delayMs) {
    dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
    vertx.setTimer(delayMs, id -> expire());
  }

  /** Some unanswered call is past its deadline, and none is past the allowance for our own stalls. */
  private boolean shouldReadFirst(long now) {
    boolean expired = false;
    for (Waiting w : waiting) {
      if (w.deadlineNanos - now > 0) {
        break;
      }
      if (!w.promise.future().isComplete()) {
        if (now - w.deadlineNanos >= allowanceNanos) {
          return false;
        }
        expired = true;
      }
    }
    return expired;
  }

  /** For tests and health views: calls still waiting or not yet swept out. */
  synchronized int size() {
    return waiting.size();
  }

  private record Waiting(long deadlineNanos, Promise<?> promise) {
  }
}
