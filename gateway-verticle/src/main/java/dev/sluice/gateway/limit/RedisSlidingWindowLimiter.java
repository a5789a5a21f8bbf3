package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import dev.sluice.gateway.redis.PipelinedRedis;
import dev.sluice.gateway.redis.RedisUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.Request;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
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
 * <p>A client seen once costs one window in an {@code EVALSHA} round trip per request; the
 * windows asked for in one event-loop turn share one call ({@link ScriptBatcher}). A client seen
 * again costs one per lease: the script reserves several slots at once and this limiter admits
 * locally until they are used or the lease ends, then hands back what it did not use. A hot client
 * (more than a handful of requests per short lease period on this instance) gets short leases; a
 * steady client far below its limit (a per-minute plan) leases for up to a window, less as it
 * nears its limit and not at all at it ({@link LeaseSizing}); rejections are answered locally
 * until a slot can free. The rules, and why they never admit over the limit, are in {@link LeaseBook}.
 *
 * <p>A script call is one {@code EVALSHA} round trip; a Redis that lost the script (restart,
 * failover, {@code SCRIPT FLUSH}) answers NOSCRIPT and the call is retried once, transparently,
 * as {@code EVAL} (see {@code SlidingWindowScript} for why EVAL rather than SCRIPT LOAD).
 *
 * <p>This class has no timeout or fallback of its own: {@link FailoverRateLimiter} adds
 * {@code redis.timeoutMs} and {@code redis.onFailure}.
 */
public final class RedisSlidingWindowLimiter implements RateLimiter {
  private final PipelinedRedis redis;
  private final SlidingWindowScript script;
  private final ScriptBatcher calls;
  /** Random per limiter, so grant ids from two nodes (or two instances) never collide. */
  private final String limiterId;
  private final AtomicLong sequence = new AtomicLong();
  private final Vertx vertx;
  private final LeaseBook leases;
  private long handBackTimer = -1; // guarded by this
  private long handBackAt; // guarded by this: when handBackTimer fires (nanoTime)
  private boolean closed; // guarded by this

  /** Call on the owning verticle's context: its connection and hand-back timer live there. */
  public RedisSlidingWindowLimiter(Vertx vertx, RedisOptions options) {
    this.vertx = vertx;
    var clientOptions = RedisUrl.toClientOptions(options.url());
    this.redis = new PipelinedRedis(vertx, clientOptions);
    this.script = SlidingWindowScript.load();
    this.calls = new ScriptBatcher(script, redis, vertx.getOrCreateContext(), clientOptions.getType() != RedisClientType.CLUSTER);
    this.limiterId = newLimiterId();
    this.leases = new LeaseBook(System::nanoTime, this::nextGrantId, LeaseBook.MAX_CLIENTS);
  }

  @Override
  public Future<RateLimitDecision> acquire(String route, String client, RateLimitPolicy policy) {
    LeaseBook.Step step = leases.acquire(RateLimitKeys.key(route, client), policy);
    if (step.ask() != null) {
      ask(step.ask());
    }
    if (step.handBacksDue()) {
      armHandBacks();
    }
    return step.answer();
  }

  /**
   * A request this limiter admitted was answered otherwise after all (its {@link #acquire} answer
   * came too late to be used): the slot Redis reserved for it is given back, so the window counts
   * only requests really admitted. Call it from that answer's completion, while its grant is the
   * client's current one.
   */
  public void giveBack(String route, String client) {
    LeaseBook.Ask back = leases.giveBack(RateLimitKeys.key(route, client));
    if (back != null) {
      calls.run(back);
    }
  }

  /** Clients this limiter keeps lease state for (bounded by {@link LeaseBook#MAX_CLIENTS}). */
  public int trackedClients() {
    return leases.clients();
  }

  private void ask(LeaseBook.Ask ask) {
    calls.run(ask).onComplete(reply -> {
      if (reply.failed()) {
        leases.failed(ask, reply.cause());
        return;
      }
      LeaseBook.Ask next = leases.granted(ask, reply.result());
      if (next != null) {
        ask(next);
      }
      armHandBacks();
    });
  }

  /**
   * One timer per limiter, armed only while some lease may end with slots unused, for the soonest
   * hand-back due (a long lease may end a window from now, a forgotten client's slots are due at
   * once: the timer moves earlier when needed). When it fires, each such lease whose client did
   * not ask again gives its unused slots back, in one script call. A hand-back that fails is not
   * retried: those slots leave the window by themselves, a window after the lease's end.
   */
  private void armHandBacks() {
    long delayMs = leases.nextHandBackInMs();
    synchronized (this) {
      if (delayMs < 0 || closed) {
        return;
      }
      long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMs));
      if (handBackTimer >= 0) {
        if (at - handBackAt >= 0 || !vertx.cancelTimer(handBackTimer)) {
          return; // armed soon enough, or firing now
        }
      }
      handBackAt = at;
      handBackTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
        synchronized (this) {
          if (handBackTimer == id) {
            handBackTimer = -1;
          }
        }
        for (LeaseBook.Ask handBack : leases.dueHandBacks()) {
          calls.run(handBack);
        }
        armHandBacks();
      });
    }
  }

  private String nextGrantId() {
    return limiterId + ":" + sequence.incrementAndGet();
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
    synchronized (this) {
      closed = true;
      if (handBackTimer >= 0) {
        vertx.cancelTimer(handBackTimer);
      }
    }
    return redis.close();
  }

  private static String newLimiterId() {
    byte[] bytes = new byte[8];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
