package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.LimiterFailureMode;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limiter the gateway uses: Redis when it answers within {@code redis.timeoutMs}, else
 * {@code redis.onFailure}:
 * <ul>
 *   <li>{@code local} - this node's share of the limit from an in-process window ({@link NodeShareLimiter});</li>
 *   <li>{@code open} - allowed, not counted ({@link RateLimitDecision#allowedWithoutCounting});</li>
 *   <li>{@code closed} - fails with {@link LimiterUnavailableException} (503 LIMITER_UNAVAILABLE).</li>
 * </ul>
 * A Redis answer that arrives after the timeout is not used: that request alone is answered by
 * the fallback, and if Redis admitted it, its slot is given back when the answer arrives. After
 * {@link RedisHealth#FAILURES_TO_SWITCH} failures in a row Redis is known down:
 * requests go to the fallback at once, without waiting, while {@code SCRIPT LOAD} probes Redis every
 * {@link #PROBE_INTERVAL_MS}; the first answer switches back to Redis, with the script cached again.
 * Any failure counts, an error reply included: telling "Redis is down" from "this call went
 * wrong" is not worth a request that waits, since a healthy Redis answers the next probe.
 */
public final class FailoverRateLimiter implements RateLimiter {
  public static final long PROBE_INTERVAL_MS = 250;
  /** What a request refused for a late Redis answer is told to wait: the next one is likely on time. */
  static final long LATE_RETRY_MS = 1_000;
  /** Start-up may connect and load the script slowly; requests never wait this long. */
  public static final long PRELOAD_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final RedisSlidingWindowLimiter redis;
  private final NodeShareLimiter local;
  private final LimiterFailureMode mode;
  private final RedisHealth health;
  private final DeadlineQueue deadlines;
  private final AtomicLong fallbackCount = new AtomicLong();
  private Runnable fallbackListener = () -> { };

  /** One Redis client and one local window, both for this verticle instance alone, on a node of its own. */
  public FailoverRateLimiter(Vertx vertx, RedisOptions options) {
    this(vertx, options, new RedisSlidingWindowLimiter(vertx, options),
        new NodeShareLimiter(new LocalSlidingWindowLimiter(), () -> 1));
  }

  /**
   * Owns {@code redis} ({@link #close()} closes it). {@code local} holds no connection or timer,
   * so it is left alone: its windows may be shared by all verticle instances of a node, to make
   * {@code local} limit per node rather than per instance (see {@link NodeShareLimiter}). With
   * {@code onFailure: local}, every Redis decision is mirrored into it.
   */
  public FailoverRateLimiter(Vertx vertx, RedisOptions options, RedisSlidingWindowLimiter redis,
                             NodeShareLimiter local) {
    if (options.timeoutMs() < 1) {
      throw new IllegalArgumentException("redis.timeoutMs: must be >= 1, was " + options.timeoutMs());
    }
    this.vertx = vertx;
    this.redis = redis;
    this.local = local;
    this.mode = Objects.requireNonNull(options.onFailure(), "redis.onFailure");
    // Down means the connection stopped answering: the probe must not wait on the same socket.
    this.health = new RedisHealth(vertx, redis::preload, PROBE_INTERVAL_MS, redis::reconnect);
    this.deadlines = new DeadlineQueue(vertx, options.timeoutMs(), "Redis");
  }

  @Override
  public Future<RateLimitDecision> acquire(String route, String client, RateLimitPolicy policy) {
    if (health.isDown()) {
      return fallback(route, client, policy, null);
    }
    int epoch = health.attempt();
    Future<RateLimitDecision> call = redis.acquire(route, client, policy);
    return deadlines.within(call)
        .transform(outcome -> {
          if (outcome.succeeded()) {
            health.reportSuccess();
            if (mode == LimiterFailureMode.LOCAL) {
              local.mirror(route, client, policy, outcome.result());
            }
            return Future.succeededFuture(outcome.result());
          }
          health.reportFailure(epoch, outcome.cause());
          giveBackWhenLate(call, route, client);
          if (mode == LimiterFailureMode.LOCAL && !health.isDown() && outcome.cause() instanceof TimeoutException) {
            return refusedWhileRedisIsUp(policy);
          }
          return fallback(route, client, policy, outcome.cause());
        });
  }

  /**
   * Connects, loads the script and runs it for real ({@link RedisWarmUp}) ahead of the first
   * request, which would otherwise pay for the TCP connect, the handshake, a NOSCRIPT retry and
   * the first use of every class on the path, easily more than {@code redis.timeoutMs} on a cold
   * JVM. Call it from the verticle's start(), before the server listens; it never fails: if Redis
   * does not answer, the limiter starts on its fallback and probes as after any outage.
   */
  public Future<Void> preload() {
    Future<Void> warm = redis.preload().compose(v -> RedisWarmUp.run(redis));
    return Deadline.within(vertx, PRELOAD_TIMEOUT_MS, "Redis", warm)
        .recover(err -> {
          health.markDown(err);
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

  /**
   * A call past its deadline goes on: when Redis's answer comes and it admitted the request, that
   * slot is given back, since the request was answered by the fallback instead. So a late answer
   * costs the window nothing, and the next request may take the slot: the window counts exactly
   * the requests admitted through Redis.
   */
  private void giveBackWhenLate(Future<RateLimitDecision> call, String route, String client) {
    call.onSuccess(late -> {
      if (late.allowed()) {
        redis.giveBack(route, client);
      }
    });
  }

  /**
   * One late call while Redis is still taken to be up: that request alone is refused (429, retry
   * in a second). Redis may have run it, its verdict is unknown, and the other nodes keep admitting
   * through Redis up to the whole limit, so admitting it from this node's window could go over the
   * limit. If Redis did admit it, the slot comes back when its answer arrives
   * ({@link #giveBackWhenLate}), so the refusal costs the window nothing. Only when Redis is known
   * down does {@code local} admit from the node's share.
   */
  private Future<RateLimitDecision> refusedWhileRedisIsUp(RateLimitPolicy policy) {
    fallbackCount.incrementAndGet();
    fallbackListener.run();
    return Future.succeededFuture(new RateLimitDecision(false, policy.limit(), 0, LATE_RETRY_MS));
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
