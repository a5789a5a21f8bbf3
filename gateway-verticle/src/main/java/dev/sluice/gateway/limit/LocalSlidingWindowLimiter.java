package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
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
 * <p>Memory stays bounded: per active client at most one entry per counted millisecond of its
 * window (and never more than {@code limit}), and a client's window is dropped once it is empty, found by a sweep that runs at most every
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

  /**
   * One client's counted requests, oldest first, changed only inside compute. Requests counted in
   * the same millisecond share one entry (a stamp and how many): a hot client mirrored at tens of
   * thousands of requests a second keeps one entry per millisecond, and no boxed stamp per request.
   */
  private static final class Window {
    private long[] stamps = new long[4];
    private int[] counts = new int[4];
    private int head;
    private int size;
    private int counted;
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
      boolean allowed = counted < policy.limit() && (!budgeted || budget > 0);
      if (allowed) {
        count(now);
        if (budgeted) {
          budget--;
        }
      }
      int remaining = Math.max(policy.limit() - counted, 0);
      return new RateLimitDecision(allowed, policy.limit(), budgeted ? Math.min(remaining, budget) : remaining, resetMs(now));
    }

    void record(long now, RateLimitPolicy policy, RateLimitDecision redis, int budget) {
      windowMs = policy.windowMs();
      evictOlderThan(now);
      if (redis.allowed() && counted < policy.limit()) {
        count(now);
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
      while (size > 0 && now - stamps[head] >= windowMs) {
        counted -= counts[head];
        head = (head + 1) % stamps.length;
        size--;
      }
    }

    boolean isEmpty(long now) {
      return size == 0 && now >= fullUntilMs;
    }

    long resetMs(long now) {
      return size == 0 ? 0 : stamps[head] + windowMs - now;
    }

    private void count(long now) {
      counted++;
      int newest = (head + size - 1) % stamps.length;
      if (size > 0 && stamps[newest] == now) {
        counts[newest]++;
        return;
      }
      if (size == stamps.length) {
        grow();
      }
      int at = (head + size) % stamps.length;
      stamps[at] = now;
      counts[at] = 1;
      size++;
    }

    private void grow() {
      long[] biggerStamps = new long[stamps.length * 2];
      int[] biggerCounts = new int[counts.length * 2];
      for (int i = 0; i < size; i++) {
        biggerStamps[i] = stamps[(head + i) % stamps.length];
        biggerCounts[i] = counts[(head + i) % counts.length];
      }
      stamps = biggerStamps;
      counts = biggerCounts;
      head = 0;
    }
  }
}
