package dev.sluice.gateway.circuit;

import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.Map;

/**
 * Adds up an instance's calls and failures per route and hands them on in batches: within
 * {@link #FAILURE_BATCH_MS} once something failed (the cluster must see failures soon), within
 * {@link #CALL_BATCH_MS} when there were only calls (enough for "this node uses the route" within
 * a 10 s window). A dead upstream at thousands of requests per second costs a few messages per
 * second; an idle route sends nothing.
 */
final class FailureBatcher {
  static final long FAILURE_BATCH_MS = 75;
  static final long CALL_BATCH_MS = 1000;

  interface Flush {
    /** @param seq this batcher's flush number, from 1 */
    void report(String route, long seq, long calls, long failures);
  }

  private final Vertx vertx;
  private final Flush flush;
  private final Map<String, long[]> pending = new HashMap<>();
  private long timerId = -1;
  private boolean failurePending;
  private long seq;
  /** Routes this instance has reported on: a route's first calls go out soon, so that the quorum knows who calls. */
  private final java.util.Set<String> reported = new java.util.HashSet<>();

  FailureBatcher(Vertx vertx, Flush flush) {
    this.vertx = vertx;
    this.flush = flush;
  }

  void called(String route) {
    pending.computeIfAbsent(route, r -> new long[2])[0]++;
    if (reported.add(route)) {
      cancel();
      schedule(FAILURE_BATCH_MS);
    } else {
      schedule(CALL_BATCH_MS);
    }
  }

  void failed(String route) {
    pending.computeIfAbsent(route, r -> new long[2])[1]++;
    if (!failurePending) {
      failurePending = true;
      // Sooner than a calls-only batch already waiting.
      cancel();
      schedule(FAILURE_BATCH_MS);
    }
  }

  private void schedule(long delayMs) {
    if (timerId == -1) {
      timerId = vertx.setTimer(delayMs, id -> flush());
    }
  }

  private void flush() {
    timerId = -1;
    failurePending = false;
    Map<String, long[]> batch = new HashMap<>(pending);
    pending.clear();
    long number = ++seq;
    batch.forEach((route, counts) -> flush.report(route, number, counts[0], counts[1]));
  }

  private void cancel() {
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  void stop() {
    cancel();
    pending.clear();
  }
}
