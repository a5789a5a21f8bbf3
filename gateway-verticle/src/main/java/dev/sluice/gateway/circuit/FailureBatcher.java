package dev.sluice.gateway.circuit;

import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Adds up an instance's failures per route and hands them on once per {@link #BATCH_MS}: a dead
 * upstream at thousands of requests per second costs a few messages per second, and a healthy
 * route sends nothing (no timer runs while nothing failed).
 */
final class FailureBatcher {
  static final long BATCH_MS = 75;

  private final Vertx vertx;
  private final BiConsumer<String, Long> flush;
  private final Map<String, Long> pending = new HashMap<>();
  private long timerId = -1;

  FailureBatcher(Vertx vertx, BiConsumer<String, Long> flush) {
    this.vertx = vertx;
    this.flush = flush;
  }

  void add(String route) {
    pending.merge(route, 1L, Long::sum);
    if (timerId == -1) {
      timerId = vertx.setTimer(BATCH_MS, id -> flush());
    }
  }

  private void flush() {
    timerId = -1;
    Map<String, Long> batch = new HashMap<>(pending);
    pending.clear();
    batch.forEach(flush);
  }

  void stop() {
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    pending.clear();
  }
}
