package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import dev.sluice.gateway.redis.PipelinedRedis;
import dev.sluice.gateway.redis.RedisUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The exact sliding window shared by every gateway node: one sorted set per route and client
 * ({@link RateLimitKeys}), updated by one Lua script per request ({@code sliding-window.lua}:
 * Redis {@code TIME}, trim, count, add if under the limit, expire), so all nodes see one budget
 * and one clock.
 *
 * <p>Create one per verticle instance: it owns one pipelined connection ({@link PipelinedRedis}), made from
 * {@code redis.url} by {@link RedisUrl#toClientOptions(String)}, where the URL's form picks the
 * client type:
 * <ul>
 *   <li>{@code redis://host:6379} - {@code RedisClientType.STANDALONE};</li>
 *   <li>{@code redis://n1:7000,redis://n2:7000?type=cluster} - {@code CLUSTER} (seed nodes);</li>
 *   <li>{@code redis://s1:26379,redis://s2:26379?type=sentinel&master=mymaster} - {@code SENTINEL},
 *       role master;</li>
 *   <li>{@code redis://a:6379,redis://b:6379?type=replication} - {@code REPLICATION}.</li>
 * </ul>
 * Users, passwords, {@code rediss://} and {@code /db} follow vertx-redis-client's URL rules.
 *
 * <p>Each acquire is one {@code EVALSHA} round trip; a Redis that lost the script (restart,
 * failover, {@code SCRIPT FLUSH}) answers NOSCRIPT and the call is retried once, transparently,
 * as {@code EVAL} (see {@code SlidingWindowScript} for why EVAL rather than SCRIPT LOAD).
 *
 * <p>This class has no timeout or fallback of its own: {@link FailoverRateLimiter} adds
 * {@code redis.timeoutMs} and {@code redis.onFailure}.
 */
public final class RedisSlidingWindowLimiter implements RateLimiter {
  private final PipelinedRedis redis;
  private final SlidingWindowScript script;
  /** Random per limiter, so request ids from two nodes (or two instances) never collide. */
  private final String limiterId;
  private final AtomicLong sequence = new AtomicLong();

  public RedisSlidingWindowLimiter(Vertx vertx, RedisOptions options) {
    this.redis = new PipelinedRedis(vertx, RedisUrl.toClientOptions(options.url()));
    this.script = SlidingWindowScript.load();
    this.limiterId = newLimiterId();
  }

  @Override
  public Future<RateLimitDecision> acquire(String route, String client, RateLimitPolicy policy) {
    String key = RateLimitKeys.key(route, client);
    String requestId = limiterId + ":" + sequence.incrementAndGet();
    return script.run(redis, key, policy.limit(), policy.windowMs(), requestId)
        .map(reply -> decision(policy, reply));
  }

  /**
   * {@code SCRIPT LOAD}s the script: optional warm-up at start-up (acquire works without it), and
   * the health probe of {@link FailoverRateLimiter}, since a Redis that comes back has an empty
   * script cache.
   */
  public Future<Void> preload() {
    return script.preload(redis);
  }

  /** Drops a connection whose replies are overdue; the next call connects afresh ({@link PipelinedRedis#reconnect()}). */
  public void reconnect() {
    redis.reconnect();
  }

  /** A cheap liveness check for health endpoints. */
  public Future<Void> ping() {
    return redis.send(Request.cmd(Command.PING)).mapEmpty();
  }

  /** The SHA-1 every node runs with EVALSHA. */
  public String scriptSha() {
    return script.sha();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private static RateLimitDecision decision(RateLimitPolicy policy, Response reply) {
    return new RateLimitDecision(
        reply.get(0).toInteger() == 1,
        policy.limit(),
        reply.get(1).toInteger(),
        reply.get(2).toLong());
  }

  private static String newLimiterId() {
    byte[] bytes = new byte[8];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
