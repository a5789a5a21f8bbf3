package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The same exact sliding window as the Redis one, kept in this process: the windows behind the
 * {@code redis.onFailure: local} fallback ({@link NodeShareLimiter} picks the limit, this node's
 * share). One instance serves all verticle instances of a node.
 *
 * <p>While Redis answers, its decisions are {@link #mirror mirrored} here: an admitted request is
 * counted in this node's window too (up to the limit it is checked against), a rejection (or an
 * admission that took the last slot) marks the window full until Redis said a slot frees, and the
 * room Redis reported as left bounds what this node may admit on its own until then (its share of
 * that room, given by the caller). So a request that falls back, alone or in an outage, is judged
 * against what this node and Redis already know of the window, not against an empty window.
 *
 * <p>Memory stays bounded as in Redis: at most {@code limit} timestamps per active client, and a
 * client's window is dropped once it is empty, found by a sweep that runs at most every
 * {@link #SWEEP_INTERVAL_MS} of clock time inside {@code acquire} and {@code mirror} (so no timer,
 * and tests that drive the clock drive the sweep too).
 *
 * <p>Thread-safe, one key at a time ({@link ConcurrentHashMap#compute}): instances on different
 * event loops only meet when they touch the same client.
 */
public final class LocalSlidingWindowLimiter implements RateLimiter {
  public static final long SWEEP_INTERVAL_MS = 10_000;

  private final LongSupplier clockMs;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong nextSweepAtMs;

  /** Uses a monotonic clock: a wall-clock step must not open or close every window at once. */
  public LocalSlidingWindowLimiter() {
    this(() -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
  }

  /** @param clockMs milliseconds on any monotonic scale; tests pass a fake one */
  public LocalSlidingWindowLimiter(LongSupplier clockMs) {
    this.clockMs = clockMs;
    this.nextSweepAtMs = new AtomicLong(clockMs.getAsLong() + SWEEP_INTERVAL_MS);
  }

  @Override
  public Future<RateLimitDecision> acquire(String route, String client, RateLimitPolicy policy) {
    long now = clockMs.getAsLong();
    sweepIfDue(now);
    RateLimitDecision[] decision = new RateLimitDecision[1];
    windows.compute(RateLimitKeys.key(route, client), (key, window) -> {
      Window w = window == null ? new Window() : window;
      decision[0] = w.decide(now, policy);
      return w.isEmpty(now) ? null : w; // a limit of 0 rejects without ever counting
    });
    return Future.succeededFuture(decision[0]);
  }

  /**
   * Records what Redis decided for a request, so the fallback knows what this node admitted:
   * an admitted request is counted (while the window holds fewer than {@code policy.limit()}), a
   * rejected one, or one that took the last slot, marks the window full for the decision's
   * {@code resetMs}.
   *
   * @param budget how many requests this node may admit on its own until {@code resetMs} has
   *   passed: its share of the room Redis said is left
   */
  public void mirror(String route, String client, RateLimitPolicy policy, RateLimitDecision redis, int budget) {
    long now = clockMs.getAsLong();
    sweepIfDue(now); // while Redis is healthy this is the only way in: the sweep must run here too
    windows.compute(RateLimitKeys.key(route, client), (key, window) -> {
      Window w = window == null ? new Window() : window;
      w.record(now, policy, redis, budget);
      return w.isEmpty(now) ? null : w;
    });
  }

  /** Clients whose window holds at least one request (or has not been swept yet). */
  public int trackedClients() {
    return windows.size();
  }

  @Override
  public Future<Void> close() {
    windows.clear();
    return Future.succeededFuture();
  }

  private void sweepIfDue(long now) {
    long due = nextSweepAtMs.get();
    if (now < due || !nextSweepAtMs.compareAndSet(due, now + SWEEP_INTERVAL_MS)) {
      return;
    }
    for (String key : windows.keySet()) {
      windows.computeIfPresent(key, (k, window) -> {
        window.evictOlderThan(now);
        return window.isEmpty(now) ? null : window;
      });
    }
  }

  /** One client's counted requests (ms timestamps, oldest first); changed only inside compute. */
  private static final class Window {
    private final ArrayDeque<Long> stamps = new ArrayDeque<>();
    private long windowMs;
    /** Redis rejected this client until then: the window is full whatever it holds. */
    private long fullUntilMs = Long.MIN_VALUE;
    /** Admissions left to this node on its own, per Redis's last answer, until {@link #budgetUntilMs}. */
    private int budget;
    private long budgetUntilMs = Long.MIN_VALUE;

    RateLimitDecision decide(long now, RateLimitPolicy policy) {
      windowMs = policy.windowMs();
      evictOlderThan(now);
      if (now < fullUntilMs) {
        return new RateLimitDecision(false, policy.limit(), 0, Math.max(fullUntilMs - now, resetMs(now)));
      }
      boolean budgeted = now < budgetUntilMs;
      boolean allowed = stamps.size() < policy.limit() && (!budgeted || budget > 0);
      if (allowed) {
        stamps.addLast(now);
        if (budgeted) {
          budget--;
        }
      }
      int remaining = Math.max(policy.limit() - stamps.size(), 0);
      return new RateLimitDecision(allowed, policy.limit(), budgeted ? Math.min(remaining, budget) : remaining, resetMs(now));
    }

    void record(long now, RateLimitPolicy policy, RateLimitDecision redis, int budget) {
      windowMs = policy.windowMs();
      evictOlderThan(now);
      if (redis.allowed() && stamps.size() < policy.limit()) {
        stamps.addLast(now);
      }
      if (!redis.allowed() || redis.remaining() == 0) {
        fullUntilMs = Math.max(fullUntilMs, now + redis.resetMs());
      } else {
        this.budget = budget;
        budgetUntilMs = now + redis.resetMs();
      }
    }

    /** A request counts while now - stamp < windowMs, as in the Lua script. */
    void evictOlderThan(long now) {
      while (!stamps.isEmpty() && now - stamps.peekFirst() >= windowMs) {
        stamps.pollFirst();
      }
    }

    boolean isEmpty(long now) {
      return stamps.isEmpty() && now >= fullUntilMs;
    }

    long resetMs(long now) {
      return stamps.isEmpty() ? 0 : stamps.peekFirst() + windowMs - now;
    }
  }
}
