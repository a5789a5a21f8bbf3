package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The same exact sliding window as the Redis one, kept in this process: the
 * {@code redis.onFailure: local} fallback. It limits per node (or per verticle instance, if each
 * instance has its own), so while it answers, a client's budget is multiplied by the number of
 * nodes; that is the trade {@code local} makes against {@code open} and {@code closed}.
 *
 * <p>Memory stays bounded as in Redis: at most {@code limit} timestamps per active client, and a
 * client's window is dropped once it is empty, found by a sweep that runs at most every
 * {@link #SWEEP_INTERVAL_MS} of clock time inside {@code acquire} (so no timer, and tests that
 * drive the clock drive the sweep too).
 *
 * <p>Thread-safe (one lock): an instance may be shared by the verticle instances of a node.
 */
public final class LocalSlidingWindowLimiter implements RateLimiter {
  public static final long SWEEP_INTERVAL_MS = 10_000;

  private final LongSupplier clockMs;
  private final Map<String, Window> windows = new HashMap<>(); // guarded by this
  private long nextSweepAtMs; // guarded by this

  /** Uses a monotonic clock: a wall-clock step must not open or close every window at once. */
  public LocalSlidingWindowLimiter() {
    this(() -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
  }

  /** @param clockMs milliseconds on any monotonic scale; tests pass a fake one */
  public LocalSlidingWindowLimiter(LongSupplier clockMs) {
    this.clockMs = clockMs;
    this.nextSweepAtMs = clockMs.getAsLong() + SWEEP_INTERVAL_MS;
  }

  @Override
  public Future<RateLimitDecision> acquire(String route, String client, RateLimitPolicy policy) {
    return Future.succeededFuture(decide(RateLimitKeys.key(route, client), policy));
  }

  /** Clients whose window holds at least one request (or has not been swept yet). */
  public synchronized int trackedClients() {
    return windows.size();
  }

  @Override
  public synchronized Future<Void> close() {
    windows.clear();
    return Future.succeededFuture();
  }

  private synchronized RateLimitDecision decide(String key, RateLimitPolicy policy) {
    long now = clockMs.getAsLong();
    sweepIfDue(now);
    Window window = windows.computeIfAbsent(key, k -> new Window());
    window.windowMs = policy.windowMs();
    window.evictOlderThan(now);
    boolean allowed = window.size() < policy.limit();
    if (allowed) {
      window.add(now);
    }
    RateLimitDecision decision = new RateLimitDecision(
        allowed, policy.limit(), Math.max(policy.limit() - window.size(), 0), window.resetMs(now));
    if (window.size() == 0) {
      windows.remove(key); // a limit of 0 rejects without ever counting
    }
    return decision;
  }

  private void sweepIfDue(long now) {
    if (now < nextSweepAtMs) {
      return;
    }
    nextSweepAtMs = now + SWEEP_INTERVAL_MS;
    windows.values().removeIf(window -> {
      window.evictOlderThan(now);
      return window.size() == 0;
    });
  }

  /** Timestamps (ms) of one client's counted requests, oldest first. */
  private static final class Window {
    private final ArrayDeque<Long> stamps = new ArrayDeque<>();
    private long windowMs;

    /** A request counts while now - stamp < windowMs, as in the Lua script. */
    void evictOlderThan(long now) {
      while (!stamps.isEmpty() && now - stamps.peekFirst() >= windowMs) {
        stamps.pollFirst();
      }
    }

    void add(long now) {
      stamps.addLast(now);
    }

    int size() {
      return stamps.size();
    }

    long resetMs(long now) {
      return stamps.isEmpty() ? 0 : stamps.peekFirst() + windowMs - now;
    }
  }
}
