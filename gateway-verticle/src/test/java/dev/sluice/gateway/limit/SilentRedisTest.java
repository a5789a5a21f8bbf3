package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.config.LimiterFailureMode;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import dev.sluice.localredis.RedisServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Redis that goes silent without closing its sockets (a host that vanished, a frozen VM),
 * played by a real redis-server frozen with SIGSTOP: the kernel keeps its connections open and
 * even accepts new ones, but nothing is answered. The limiter must notice within its deadline,
 * answer from the fallback meanwhile, and come back by itself on a connection of its own.
 */
@ExtendWith(VertxExtension.class)
class SilentRedisTest {
  /** The default {@code redis.timeoutMs}. */
  private static final long TIMEOUT_MS = 50;
  /** What a loaded 2-core machine keeps ten times over; a hang would be seconds to minutes. */
  private static final long ANSWER_BOUND_MS = 2_000;
  private static final long SILENCE_MS = 1_500;
  private static final int IN_FLIGHT = 16;
  private static final int MAX_REQUESTS = 10_000;
  private static final RateLimitPolicy PLENTY = new RateLimitPolicy(1_000_000, 60_000);

  private RedisServerProcess server;
  private FailoverRateLimiter limiter;
  private Redis inspector;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = RedisServerProcess.start();
    inspector = Redis.createClient(vertx, server.url());
    limiter = new FailoverRateLimiter(vertx, new RedisOptions(server.url(), TIMEOUT_MS, LimiterFailureMode.LOCAL));
    limiter.preload().await(10, TimeUnit.SECONDS);
    assertFalse(limiter.usingFallback(), "Redis did not answer the preload");
  }

  @AfterEach
  void stop() throws Exception {
    try {
      server.resume(); // never leave a frozen process behind, whatever the test did
    } catch (IllegalStateException alreadyStopped) {
      // nothing to thaw
    }
    limiter.close().await(10, TimeUnit.SECONDS);
    inspector.close();
    server.close();
  }

  @Test
  void aFrozenRedisIsAnsweredForWithinTheDeadlineAndLimitsReturnToRedisOnAFreshConnection(Vertx vertx) throws Exception {
    long connectionsBefore = connectionsReceived();
    Load load = new Load(vertx, "c-" + UUID.randomUUID());

    server.pause();
    try {
      load.runFor(SILENCE_MS).await(SILENCE_MS + 10 * ANSWER_BOUND_MS, TimeUnit.MILLISECONDS);
      assertTrue(limiter.usingFallback(), "a silent Redis is noticed");
    } finally {
      server.resume();
    }

    System.out.println("while Redis was frozen: " + load.answered + " answers, slowest " + load.slowestMs + " ms");
    assertTrue(load.answered.get() > IN_FLIGHT, "requests kept being answered: " + load.answered);
    assertTrue(load.slowestMs.get() < ANSWER_BOUND_MS, "slowest answer " + load.slowestMs + " ms");
    Eventually.until(vertx, 10_000, "back on Redis", () -> Future.succeededFuture(!limiter.usingFallback()))
      .await(15, TimeUnit.SECONDS);
    String client = "after-" + UUID.randomUUID();
    assertTrue(limiter.acquire("r", client, PLENTY).await(5, TimeUnit.SECONDS).allowed());
    assertEquals(1, inspector.send(Request.cmd(Command.EXISTS).arg(RateLimitKeys.key("r", client)))
      .await(5, TimeUnit.SECONDS).toLong(), "limits live in Redis again");
    assertTrue(connectionsReceived() > connectionsBefore, "the limiter left the silent connection for a new one");
  }

  private long connectionsReceived() throws Exception {
    String info = inspector.send(Request.cmd(Command.INFO).arg("stats")).await(5, TimeUnit.SECONDS).toString();
    return info.lines().filter(l -> l.startsWith("total_connections_received:"))
      .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
  }

  /** {@value #IN_FLIGHT} acquires in flight at all times, for a bounded time and count; records the slowest answer. */
  private final class Load {
    private final Vertx vertx;
    private final String client;
    final AtomicInteger answered = new AtomicInteger();
    final AtomicLong slowestMs = new AtomicLong();

    Load(Vertx vertx, String client) {
      this.vertx = vertx;
      this.client = client;
    }

    Future<Void> runFor(long ms) {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
      List<Future<Void>> workers = new ArrayList<>();
      for (int i = 0; i < IN_FLIGHT; i++) {
        Promise<Void> done = Promise.promise();
        vertx.runOnContext(v -> next(until, done));
        workers.add(done.future());
      }
      return Future.all(workers).mapEmpty();
    }

    private void next(long until, Promise<Void> done) {
      if (System.nanoTime() > until || answered.get() >= MAX_REQUESTS) {
        done.complete();
        return;
      }
      long started = System.nanoTime();
      limiter.acquire("r", client, PLENTY).onComplete(outcome -> {
        slowestMs.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), Math::max);
        answered.incrementAndGet();
        if (outcome.failed()) {
          done.fail(outcome.cause());
        } else {
          // A timer between calls: the fallback answers at once, and an unpaced loop would only measure itself.
          vertx.setTimer(5, id -> next(until, done));
        }
      });
    }
  }
}
