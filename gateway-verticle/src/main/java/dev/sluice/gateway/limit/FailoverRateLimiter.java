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
 * A call that misses the timeout while Redis is taken to be up is given its own verdict a little
 * longer ({@link #verdictWhenLate}), so a late Redis or a late event loop neither refuses a client
 * under its limit nor admits one over it; with {@code open}, and for errors, that request alone is
 * answered by the fallback. A slot Redis gave a request that was refused here is given back when
 * the answer arrives. After
 * {@link RedisHealth#FAILURES_TO_SWITCH} failures in a row Redis is known down:
 * requests go to the fallback at once, without waiting, while {@code SCRIPT LOAD} probes Redis every
 * {@link #PROBE_INTERVAL_MS}; the first answer switches back to Redis, with the script cached again.
 * Any failure counts, an error reply included: telling "Redis is down" from "this call went
 * wrong" is not worth a request that waits, since a healthy Redis answers the next probe.
 */
public final class FailoverRateLimiter implements RateLimiter {
  public static final long PROBE_INTERVAL_MS = 250;
  /** What a request refused for a missing Redis verdict is told to wait: the next one is likely on time. */
  static final long LATE_RETRY_MS = 1_000;
  /**
   * How much longer than {@code redis.timeoutMs} a late call's own verdict is waited for at most
   * while Redis is taken to be up; a silent Redis is found down well before it ends (three
   * timeouts, {@link #verdictWhenLate}).
   */
  static final long LATE_VERDICT_WAIT_MS = 1_000;
  /** Start-up may connect and load the script slowly; requests never wait this long. */
  public static final long PRELOAD_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final RedisSlidingWindowLimiter redis;
  private final NodeShareLimiter local;
  private final LimiterFailureMode mode;
  private final RedisHealth health;
  private final DeadlineQueue deadlines;
  private final long timeoutMs;
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
    this.timeoutMs = options.timeoutMs();
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
            return Future.succeededFuture(fromRedis(route, client, policy, outcome.result()));
          }
          health.reportFailure(epoch, outcome.cause());
          if (mode != LimiterFailureMode.OPEN && !health.isDown() && outcome.cause() instanceof TimeoutException) {
            return verdictWhenLate(call, route, client, policy);
          }
          Future<RateLimitDecision> answer = fallback(route, client, policy, outcome.cause());
          giveBackWhenLate(call, answer, route, client);
          return answer;
        });
  }

  private RateLimitDecision fromRedis(String route, String client, RateLimitPolicy policy, RateLimitDecision decision) {
    if (mode == LimiterFailureMode.LOCAL) {
      local.mirror(route, client, policy, decision);
    }
    return decision;
  }

  /**
   * One late call while Redis is still taken to be up (as often as not it is this node's own event
   * loop that was late, under a burst, not Redis). Guessing would either refuse a client far below
   * its limit (a 429 for a client at a millionth of it, issue 25) or admit without Redis while the
   * other nodes keep admitting through Redis up to the whole limit (51 of 50 in
   * {@code ExactLimitOnFreshNodesIT}). So the request waits for Redis's own verdict: exact, never
   * over, and for a client under its limit an admission. A client at its limit is mostly refused
   * without a call at all ({@link LeaseBook} answers rejections locally until a slot can free).
   *
   * <p>The wait goes in steps of {@code redis.timeoutMs}, and each step that passes without an
   * answer is one more failure for {@link RedisHealth}, as the next call's timeout would have been:
   * a Redis silent for {@link RedisHealth#FAILURES_TO_SWITCH} timeouts is found down just as fast
   * when one client's requests all wait on one call as when many clients' calls time out. Found
   * down, its connection is dropped and the call with it, and {@code redis.onFailure} answers, as in
   * any outage. If no verdict comes within {@link #LATE_VERDICT_WAIT_MS} and Redis is still taken to
   * be up (only a {@code redis.timeoutMs} of a second or more leaves room for that), the request is refused
   * (429 with {@code local}, 503 with {@code closed}); if Redis admitted it after all, that slot is
   * given back ({@link #giveBackWhenLate}).
   */
  private Future<RateLimitDecision> verdictWhenLate(Future<RateLimitDecision> call, String route, String client,
                                                    RateLimitPolicy policy) {
    return awaitVerdict(call, LATE_VERDICT_WAIT_MS).transform(late -> {
      if (late.succeeded()) {
        return Future.succeededFuture(fromRedis(route, client, policy, late.result()));
      }
      Future<RateLimitDecision> answer = health.isDown() || mode == LimiterFailureMode.CLOSED
          ? fallback(route, client, policy, late.cause())
          : refusedWhileRedisIsUp(policy);
      giveBackWhenLate(call, answer, route, client);
      return answer;
    });
  }

  /** {@code call}'s own outcome, waited for in steps of {@code redis.timeoutMs}, each a failure; fails when out of time or down. */
  private Future<RateLimitDecision> awaitVerdict(Future<RateLimitDecision> call, long leftMs) {
    int epoch = health.attempt();
    long stepMs = Math.min(timeoutMs, leftMs);
    return Deadline.within(vertx, stepMs, "Redis", call).recover(err -> {
      if (!(err instanceof TimeoutException)) {
        return Future.failedFuture(err);
      }
      health.reportFailure(epoch, err);
      return health.isDown() || leftMs - stepMs <= 0 ? Future.failedFuture(err) : awaitVerdict(call, leftMs - stepMs);
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
   * A call whose verdict was not used goes on. When Redis's answer comes and it admitted the
   * request: if the request was admitted here too (by {@code redis.onFailure} in an outage), the
   * slot stays, since the request went through; if it was refused here, the slot is given back, so
   * the refusal costs the window nothing and the next request may take it. Either way the window
   * counts the requests admitted.
   */
  private void giveBackWhenLate(Future<RateLimitDecision> call, Future<RateLimitDecision> answer, String route,
                                String client) {
    call.onSuccess(late -> {
      boolean admittedHere = answer.succeeded() && answer.result().allowed();
      if (late.allowed() && !admittedHere) {
        redis.giveBack(route, client);
      }
    });
  }

  /**
   * Redis, still taken to be up, gave no verdict even {@link #LATE_VERDICT_WAIT_MS} after the
   * deadline: the request is refused (429, retry in a second). Admitting it without Redis could go
   * over the limit, since the other nodes keep admitting through Redis.
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
