package dev.sluice.gateway.limit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis is known to be down, and the background probe that finds out when it is back.
 *
 * <p>One failed call marks it down; from then on callers answer from their fallback at once
 * instead of each waiting {@code redis.timeoutMs}. A probe runs every {@code intervalMs}, one at a
 * time (the next is scheduled only when the previous has finished, bounded by {@code intervalMs}
 * itself), and the first success marks Redis up again.
 */
final class RedisHealth {
  private static final Logger LOG = LoggerFactory.getLogger(RedisHealth.class);

  private final Vertx vertx;
  private final Supplier<Future<Void>> probe;
  private final long intervalMs;
  private final AtomicBoolean down = new AtomicBoolean();
  private volatile boolean closed;
  private volatile long probeTimer = -1;

  RedisHealth(Vertx vertx, Supplier<Future<Void>> probe, long intervalMs) {
    this.vertx = vertx;
    this.probe = probe;
    this.intervalMs = intervalMs;
  }

  boolean isDown() {
    return down.get();
  }

  /** Marks Redis down and starts probing, unless it is already known down. */
  void reportFailure(Throwable cause) {
    if (!closed && down.compareAndSet(false, true)) {
      LOG.warn("Redis unavailable ({}); answering from the fallback, probing every {} ms", cause.toString(), intervalMs);
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
        down.set(false);
        LOG.info("Redis answers again; limiting with Redis");
      } else {
        scheduleProbe();
      }
    });
  }
}
