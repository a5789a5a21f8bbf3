package dev.sluice.gateway.limit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis is known to be down, and the background probe that finds out when it is back.
 *
 * <p>A failed call is answered by the fallback on its own; Redis is marked down only after
 * {@link #FAILURES_TO_SWITCH} failures in a row with no success between them, where the calls that
 * one stall caught together count once: a failure counts only if its call started after the
 * previous counted failure was seen ({@link #attempt()} and {@link #reportFailure(int, Throwable)}).
 * Without that rule, one 60 ms stall of a busy Redis with thirty calls in flight was thirty
 * failures in a row, and the node switched for an outage that had already ended. From then on callers
 * answer from their fallback at once instead of each waiting {@code redis.timeoutMs}. A probe runs
 * every {@code intervalMs}, one at a time (the next is scheduled only when the previous has
 * finished, bounded by {@code intervalMs} itself), and the first success marks Redis up again.
 */
final class RedisHealth {
  /**
   * Three, not one: a single late answer (a GC pause, a Redis fork for a snapshot, a scheduler
   * hiccup on a busy host) is not an outage, and switching a node for it made the node's fallback
   * admit, without Redis, on top of what Redis had already admitted. A refusing Redis fails every
   * call at once, so the switch comes within microseconds under traffic; a silent one after about
   * three {@code redis.timeoutMs} (each wave of calls in flight times out together and counts
   * once), and every request meanwhile is answered by the fallback within one timeout.
   */
  static final int FAILURES_TO_SWITCH = 3;
  private static final Logger LOG = LoggerFactory.getLogger(RedisHealth.class);

  private final Vertx vertx;
  private final Supplier<Future<Void>> probe;
  private final long intervalMs;
  private final Runnable onDown;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  /** Counted failures so far; a call remembers it when it starts. */
  private final AtomicInteger failureEpoch = new AtomicInteger();
  private volatile boolean closed;
  private volatile long probeTimer = -1;

  /**
   * @param onDown runs once each time Redis is marked down, before the first probe (to drop a
   *   connection that stopped answering, so the probe connects afresh)
   */
  RedisHealth(Vertx vertx, Supplier<Future<Void>> probe, long intervalMs, Runnable onDown) {
    this.vertx = vertx;
    this.probe = probe;
    this.intervalMs = intervalMs;
    this.onDown = onDown;
  }

  boolean isDown() {
    return down.get();
  }

  /** A call answered in time: the run of failures is over. */
  void reportSuccess() {
    // Read before write: the common case (no failures) stays a read of a shared cache line.
    if (consecutiveFailures.get() != 0) {
      consecutiveFailures.set(0);
    }
  }

  /** Call when a call starts; hand the value to {@link #reportFailure(int, Throwable)} if it fails. */
  int attempt() {
    return failureEpoch.get();
  }

  /**
   * Counts a failed call that started at {@code epoch} (from {@link #attempt()}), unless a failure
   * was already counted after it started (the same stall); the {@link #FAILURES_TO_SWITCH}th
   * counted failure in a row marks Redis down.
   */
  void reportFailure(int epoch, Throwable cause) {
    if (failureEpoch.compareAndSet(epoch, epoch + 1) && consecutiveFailures.incrementAndGet() >= FAILURES_TO_SWITCH) {
      markDown(cause);
    }
  }

  /** Marks Redis down at once (it did not answer at start-up) and starts probing, unless already down. */
  void markDown(Throwable cause) {
    if (!closed && down.compareAndSet(false, true)) {
      LOG.warn("Redis unavailable ({}); answering from the fallback, probing every {} ms", cause.toString(), intervalMs);
      onDown.run();
      scheduleProbe();
    }
  }

  void close() {
    closed = true;
    vertx.cancelTimer(probeTimer);
  }

  private void scheduleProbe() {
    if (!closed) {
      probeTimer = vertx.setTimer(intervalMs, id -> probeOnce());
    }
  }

  private void probeOnce() {
    // compose() turns a probe that throws into a failed probe, so the loop never stops silently.
    Future<Void> attempt = Future.<Void>succeededFuture().compose(v -> probe.get());
    Deadline.within(vertx, intervalMs, "Redis probe", attempt).onComplete(outcome -> {
      if (outcome.succeeded()) {
        consecutiveFailures.set(0);
        down.set(false);
        LOG.info("Redis answers again; limiting with Redis");
      } else {
        onDown.run();
        scheduleProbe();
      }
    });
  }
}
