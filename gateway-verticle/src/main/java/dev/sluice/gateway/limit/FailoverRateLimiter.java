package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.LimiterFailureMode;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limiter the gateway uses: Redis when it answers within {@code redis.timeoutMs}, else
 * {@code redis.onFailure}:
 * <ul>
 *   <li>{@code local} - the same limit from an in-process window ({@link LocalSlidingWindowLimiter});</li>
 *   <li>{@code open} - allowed, not counted ({@link RateLimitDecision#allowedWithoutCounting});</li>
 *   <li>{@code closed} - fails with {@link LimiterUnavailableException} (503 LIMITER_UNAVAILABLE).</li>
 * </ul>
 * A Redis answer that arrives after the timeout is dropped (the request may have been counted in
 * Redis anyway: the price of answering on time). After a failure Redis is known down: requests
 * go to the fallback at once, without waiting, while {@code SCRIPT LOAD} probes Redis every
 * {@link #PROBE_INTERVAL_MS}; the first answer switches back to Redis, with the script cached again.
 * Any failure counts, an error reply included: telling "Redis is down" from "this call went
 * wrong" is not worth a request that waits, since a healthy Redis answers the next probe.
 */
public final class FailoverRateLimiter implements RateLimiter {
  public static final long PROBE_INTERVAL_MS = 250;
  /** Start-up may connect and load the script slowly; requests never wait this long. */
  public static final long PRELOAD_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final RedisSlidingWindowLimiter redis;
  private final LocalSlidingWindowLimiter local;
  private final LimiterFailureMode mode;
  private final RedisHealth health;
  private final DeadlineQueue deadlines;
  private final AtomicLong fallbackCount = new AtomicLong();
  private Runnable fallbackListener = () -> { };

  /** One Redis client and one local window, both for this verticle instance alone. */
  public FailoverRateLimiter(Vertx vertx, RedisOptions options) {
    this(vertx, options, new RedisSlidingWindowLimiter(vertx, options), new LocalSlidingWindowLimiter());
  }

  /**
   * Owns {@code redis} ({@link #close()} closes it). {@code local} holds no connection or timer,
   * so it is left alone: one instance may be shared by all verticle instances of a node, to make
   * {@code local} limit per node rather than per instance.
   */
  public FailoverRateLimiter(Vertx vertx, RedisOptions options, RedisSlidingWindowLimiter redis,
                             LocalSlidingWindowLimiter local) {
    if (options.timeoutMs() < 1) {
      throw new IllegalArgumentException("redis.timeoutMs: must be >= 1, was " + options.timeoutMs());
    }
    this.vertx = vertx;
    this.redis = redis;
    this.local = local;
    this.mode = Objects.requireNonNull(options.onFailure(), "redis.onFailure");
    this.health = new RedisHealth(vertx, redis::preload, PROBE_INTERVAL_MS);
    this.deadlines = new DeadlineQueue(vertx, options.timeoutMs(), "Redis");
  }

  @Override
  public Future<RateLimitDecision> acquire(String route, String client, RateLimitPolicy policy) {
    if (health.isDown()) {
      return fallback(route, client, policy, null);
    }
    return deadlines.within(redis.acquire(route, client, policy))
        .recover(err -> {
          health.reportFailure(err);
          return fallback(route, client, policy, err);
        });
  }

  /**
   * Connects and loads the script ahead of the first request, which would otherwise pay for the
   * TCP connect, the handshake and a NOSCRIPT retry, easily more than {@code redis.timeoutMs} on a
   * cold JVM. Call it from the verticle's start(); it never fails: if Redis does not answer, the
   * limiter starts on its fallback and probes as after any failure.
   */
  public Future<Void> preload() {
    return Deadline.within(vertx, PRELOAD_TIMEOUT_MS, "Redis", redis.preload())
        .recover(err -> {
          health.reportFailure(err);
          return Future.succeededFuture();
        });
  }

  /** Runs on the caller's event loop for every request answered by {@code redis.onFailure} (for metrics). */
  public FailoverRateLimiter onFallback(Runnable listener) {
    this.fallbackListener = listener;
    return this;
  }

  /** True while Redis is known down and requests are answered by {@code redis.onFailure}. */
  public boolean usingFallback() {
    return health.isDown();
  }

  /** Requests answered by the fallback so far ({@code sluice_limiter_fallback_total{mode}}). */
  public long fallbackCount() {
    return fallbackCount.get();
  }

  public LimiterFailureMode failureMode() {
    return mode;
  }

  @Override
  public Future<Void> close() {
    health.close();
    return redis.close();
  }

  private Future<RateLimitDecision> fallback(String route, String client, RateLimitPolicy policy, Throwable cause) {
    fallbackCount.incrementAndGet();
    fallbackListener.run();
    return switch (mode) {
      case OPEN -> Future.succeededFuture(RateLimitDecision.allowedWithoutCounting(policy));
      case CLOSED -> Future.failedFuture(new LimiterUnavailableException(cause));
      case LOCAL -> local.acquire(route, client, policy);
    };
  }
}
