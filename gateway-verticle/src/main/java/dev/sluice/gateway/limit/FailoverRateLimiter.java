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
 * the fallback (with {@code local}, while Redis is up, from this node's share of what Redis last
 * reported: {@link #lateWhileRedisIsUp}); if Redis admitted it and the fallback did not, its slot
 * is given back when the answer arrives. After
 * {@link RedisHealth#FAILURES_TO_SWITCH} failures in a row Redis is known down:
 * requests go to the fallback at once, without waiting, while {@code SCRIPT LOAD} probes Redis every
 * {@link #PROBE_INTERVAL_MS}; the first answer switches back to Redis, with the script cached again.
 * Any failure counts, an error reply included: telling "Redis is down" from "this call went
 * wrong" is not worth a request that waits, since a healthy Redis answers the next probe.
 */
public final class FailoverRateLimiter implements RateLimiter {
  public static final long PROBE_INTERVAL_MS = 250;
  /** What a request refused on a late Redis answer is told to wait at least: the next one is likely on time. */
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
          Future<RateLimitDecision> answer =
              mode == LimiterFailureMode.LOCAL && !health.isDown() && outcome.cause() instanceof TimeoutException
                  ? lateWhileRedisIsUp(route, client, policy)
                  : fallback(route, client, policy, outcome.cause());
          giveBackWhenLate(call, answer, route, client);
          return answer;
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
   * A call past its deadline goes on. When Redis's answer comes and it admitted the request:
   * if the request was admitted here too, the slot stays (the window counts a request that really
   * went through, which is what keeps the node's late admissions inside the limit, see
   * {@link #lateWhileRedisIsUp}); if it was refused here (a 429, or 503 with {@code closed}),
   * the slot is given back, so the refusal costs the window nothing and the next request may take it.
   * Either way the window counts exactly the requests admitted.
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
   * One late call while Redis is still taken to be up (often this node's own event loop was late,
   * not Redis). The request is admitted when this node can show that admitting it keeps the client
   * within its share of the limit, and refused (429, retry in a second) only when it cannot:
   * {@link NodeShareLimiter} answers from the node's mirror of Redis's decisions, which admits
   * while both hold:
   * <ul>
   *   <li>what this node admitted for the client in the window is under the node's share of the
   *       limit ({@code limit / live nodes});</li>
   *   <li>and, until Redis's last answer said the oldest entry leaves the window, this node has
   *       admitted on its own fewer than its even share of the room that answer reported
   *       ({@code remaining / live nodes}, rounded down).</li>
   * </ul>
   * A client that Redis last found at its limit stays refused until a slot frees.
   *
   * <p>Never over, the invariant: every admission is either counted by Redis (in time, or late:
   * the call went before the deadline and, when Redis runs it with room, its slot is kept, see
   * {@link #giveBackWhenLate}), or is one of at most {@code remaining / N} that this node takes of
   * the room Redis last reported to it, the same share each node may take in an outage. Redis
   * itself never counts more than the limit; a late admission that Redis then finds no room for
   * can only happen when the other nodes used more than their even share of that room within one
   * {@code redis.timeoutMs}, and it is bounded by this node's share. Refusing every late answer, as
   * before, refused a client at a millionth of its limit because of the gateway's own queue.
   */
  private Future<RateLimitDecision> lateWhileRedisIsUp(String route, String client, RateLimitPolicy policy) {
    fallbackCount.incrementAndGet();
    fallbackListener.run();
    return local.acquire(route, client, policy)
        .map(share -> share.allowed() ? share : new RateLimitDecision(false, policy.limit(), 0,
            Math.max(share.resetMs(), LATE_RETRY_MS)));
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
