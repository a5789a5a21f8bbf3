package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.LocalRedis;
import dev.sluice.gateway.config.LimiterFailureMode;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverRateLimiterTest {
  private static final long TIMEOUT_MS = 100;
  /** What a loaded 2-core machine adds to a timeout, ten times over; never a measured timing. */
  private static final long MARGIN_MS = 2_000;
  private static final long AWAIT_S = 10;
  private static final RateLimitPolicy FIVE_PER_MINUTE = new RateLimitPolicy(5, 60_000);

  @RegisterExtension
  static final LocalRedis redis = new LocalRedis();
  private RedisInspector inspector;
  private final List<FailoverRateLimiter> limiters = new ArrayList<>();
  private String route;

  @BeforeEach
  void setUp(Vertx vertx) {
    inspector = new RedisInspector(vertx, redis.url());
    route = "route-" + UUID.randomUUID();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (FailoverRateLimiter limiter : limiters) {
      await(limiter.close());
    }
    limiters.clear();
    await(inspector.close());
  }

  @Test
  void preloadOnADeadRedisStartsOnTheFallbackAndRecovers(Vertx vertx) throws Exception {
    redis.stop();
    FailoverRateLimiter limiter = new FailoverRateLimiter(vertx, new RedisOptions(redis.url(), TIMEOUT_MS, LimiterFailureMode.OPEN));
    limiters.add(limiter);

    await(limiter.preload());
    assertTrue(limiter.usingFallback());

    redis.restart();
    await(Eventually.until(vertx, 10_000, "back on Redis", () -> Future.succeededFuture(!limiter.usingFallback())));
  }

  @Test
  void usesRedisWhileItAnswers(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.CLOSED);

    assertEquals(4, await(limiter.acquire(route, "c", FIVE_PER_MINUTE)).remaining());

    assertTrue(await(inspector.exists(RateLimitKeys.key(route, "c"))));
    assertFalse(limiter.usingFallback());
    assertEquals(0, limiter.fallbackCount());
  }

  @Test
  void localEnforcesTheSameLimitInProcessWhileRedisIsDown(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.LOCAL);
    redis.stop();

    List<RateLimitDecision> decisions = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      decisions.add(timedAcquire(limiter, "c"));
    }

    assertEquals(5, decisions.stream().filter(RateLimitDecision::allowed).count());
    assertEquals(List.of(4, 3, 2, 1, 0, 0, 0, 0), decisions.stream().map(RateLimitDecision::remaining).toList());
    assertTrue(limiter.usingFallback());
    assertEquals(8, limiter.fallbackCount());
  }

  @Test
  void aFallbackMidWindowAdmitsOnlyWhatRedisHasNotAlreadyAdmittedForThisNode(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.LOCAL);
    for (int i = 0; i < 3; i++) {
      assertTrue(await(limiter.acquire(route, "c", FIVE_PER_MINUTE)).allowed());
    }
    redis.stop();

    List<RateLimitDecision> decisions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      decisions.add(timedAcquire(limiter, "c"));
    }

    assertEquals(2, decisions.stream().filter(RateLimitDecision::allowed).count(), "five per window, three of them through Redis");
    assertTrue(limiter.usingFallback());
  }

  @Test
  void aClientRedisRejectedStaysRejectedByTheFallbackUntilRedisSaidASlotFrees(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.LOCAL);
    // Another node took the whole window in Redis; this node admitted nothing for the client.
    RedisSlidingWindowLimiter otherNode = new RedisSlidingWindowLimiter(vertx, new RedisOptions(redis.url(), TIMEOUT_MS, LimiterFailureMode.LOCAL));
    for (int i = 0; i < 5; i++) {
      assertTrue(await(otherNode.acquire(route, "c", FIVE_PER_MINUTE)).allowed());
    }
    await(otherNode.close());
    RateLimitDecision rejected = await(limiter.acquire(route, "c", FIVE_PER_MINUTE));
    assertFalse(rejected.allowed());
    redis.stop();

    for (int i = 0; i < 5; i++) {
      RateLimitDecision fallback = timedAcquire(limiter, "c");
      assertFalse(fallback.allowed(), "the window is full in Redis for about a minute more");
      assertTrue(fallback.retryAfterSeconds() > 1, "Retry-After from Redis's reset: " + fallback);
    }
  }

  @Test
  void openAllowsWithoutCountingWhileRedisIsDown(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.OPEN);
    redis.stop();

    for (int i = 0; i < 8; i++) {
      assertEquals(RateLimitDecision.allowedWithoutCounting(FIVE_PER_MINUTE), timedAcquire(limiter, "c"));
    }
    assertEquals(8, limiter.fallbackCount());
  }

  @Test
  void closedFailsWithLimiterUnavailableWhileRedisIsDown(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.CLOSED);
    redis.stop();

    for (int i = 0; i < 3; i++) {
      CompletionException failure = assertThrows(CompletionException.class, () -> timedAcquire(limiter, "c"));
      LimiterUnavailableException unavailable = assertInstanceOf(LimiterUnavailableException.class, failure.getCause());
      assertEquals(0, unavailable.getStackTrace().length, "an expected outcome carries no stack trace");
    }
    assertEquals(3, limiter.fallbackCount());
  }

  @Test
  void manyConcurrentAcquiresAllCompleteOnTimeWhileRedisIsDown(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.LOCAL);
    redis.stop();

    long start = System.nanoTime();
    List<Future<RateLimitDecision>> decisions = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      decisions.add(limiter.acquire(route, "c", new RateLimitPolicy(50, 60_000)));
    }
    await(Future.all(decisions));

    assertTrue(elapsedMs(start) < TIMEOUT_MS + MARGIN_MS, "took " + elapsedMs(start) + " ms");
    assertEquals(50, decisions.stream().filter(decision -> decision.result().allowed()).count());
  }

  @Test
  void oneRequestWaitingOnAFrozenRedisFindsItDownWithinThreeTimeoutsAndTheFallbackAnswers(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.LOCAL);
    assertEquals(4, await(limiter.acquire(route, "c", FIVE_PER_MINUTE)).remaining()); // connected, script cached

    redis.pause();
    try {
      RateLimitDecision late = timedAcquire(limiter, "c");
      assertTrue(limiter.usingFallback(), "each timeout the request waits for its verdict is a failure: the third"
        + " in a row switches the limiter to its fallback, as it would with many clients' calls timing out");
      assertTrue(late.allowed(), "then answered by the fallback: this node admitted 1 of 5");
      int admitted = 2;
      for (int i = 0; i < 10; i++) {
        if (timedAcquire(limiter, "c").allowed()) { // known down: answered locally, not sent to Redis
          admitted++;
        }
      }
      assertEquals(FIVE_PER_MINUTE.limit(), admitted, "the fallback keeps the node's share (all of it, one node)");
    } finally {
      redis.resume();
    }
    await(Eventually.until(vertx, 5_000, "back on Redis", () -> Future.succeededFuture(!limiter.usingFallback())));
    // The first request, and the call the late one waited on. Redis ran it when it thawed, but its
    // answer never came: switching to the fallback dropped the silent connection, and the call with
    // it, so its slot could not be given back (it leaves with the window).
    assertEquals(2, await(inspector.members(RateLimitKeys.key(route, "c"))));
  }

  @Test
  void aLateVerdictIsWaitedForAndUsedSoTheWindowStaysExact(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.LOCAL);
    RateLimitPolicy plenty = new RateLimitPolicy(100, 60_000);

    for (int stall = 0; stall < 2; stall++) {
      // Busy for 1.5 timeouts once the request is sent: late, but fewer than three timeouts.
      Future<Void> busy = inspector.busyFor(250);
      await(vertx.timer(100)); // let the busy script reach Redis first (its one thread is then taken)
      RateLimitDecision late = limiter.acquire(route, "c", plenty).await(TIMEOUT_MS + MARGIN_MS, TimeUnit.MILLISECONDS);
      assertTrue(late.allowed(), "Redis's own verdict, late: a client far below its limit is admitted");
      assertEquals(100 - (stall + 1), late.remaining(), "and counted exactly once");
      await(busy);
    }
    assertEquals(2L, await(inspector.counted(RateLimitKeys.key(route, "c"), plenty)));
    assertFalse(limiter.usingFallback(), "never " + RedisHealth.FAILURES_TO_SWITCH + " failures in a row");
    assertEquals(0, limiter.fallbackCount(), "every answer was Redis's");
  }

  @Test
  void aClientFarBelowItsLimitIsAdmittedWhileRedisIsFrozen(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.LOCAL);
    RateLimitPolicy large = new RateLimitPolicy(100_000, 60_000);
    assertTrue(await(limiter.acquire(route, "c", large)).allowed());

    List<Future<RateLimitDecision>> decisions = new ArrayList<>();
    redis.pause();
    try {
      // 1 000 requests, 1 % of the limit, spread over the 200 ms Redis is frozen.
      for (int batch = 0; batch < 10; batch++) {
        for (int i = 0; i < 100; i++) {
          decisions.add(limiter.acquire(route, "c", large));
        }
        await(vertx.timer(20));
      }
    } finally {
      redis.resume();
    }
    await(Future.join(decisions));

    long refused = decisions.stream().filter(d -> d.failed() || !d.result().allowed()).count();
    assertEquals(0, refused, "a client at 1 % of its limit is never refused because Redis answered late");
  }

  @Test
  void aClientAtItsLimitIsNeverOverWhileRedisIsFrozen(Vertx vertx) throws Exception {
    // Two nodes of one cluster: separate limiters and windows, one Redis.
    FailoverRateLimiter a = limiter(vertx, LimiterFailureMode.LOCAL, 2);
    FailoverRateLimiter b = limiter(vertx, LimiterFailureMode.LOCAL, 2);
    for (int i = 0; i < FIVE_PER_MINUTE.limit(); i++) {
      assertTrue(await((i % 2 == 0 ? a : b).acquire(route, "c", FIVE_PER_MINUTE)).allowed());
    }

    List<Future<RateLimitDecision>> decisions = new ArrayList<>();
    redis.pause();
    try {
      for (int i = 0; i < 20; i++) {
        decisions.add(a.acquire(route, "c", FIVE_PER_MINUTE));
        decisions.add(b.acquire(route, "c", FIVE_PER_MINUTE));
        await(vertx.timer(10));
      }
    } finally {
      redis.resume();
    }
    await(Future.join(decisions));

    assertEquals(0, decisions.stream().filter(d -> d.succeeded() && d.result().allowed()).count(),
        "at its limit: nothing more is admitted on either node, late answer or not");
    assertEquals((long) FIVE_PER_MINUTE.limit(), await(inspector.counted(RateLimitKeys.key(route, "c"), FIVE_PER_MINUTE)));
  }

  @Test
  void goesBackToRedisByItselfWhenRedisIsRestarted(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = limiter(vertx, LimiterFailureMode.LOCAL);
    String key = RateLimitKeys.key(route, "c");
    await(limiter.acquire(route, "c", FIVE_PER_MINUTE));
    redis.stop();
    for (int i = 0; i < RedisHealth.FAILURES_TO_SWITCH; i++) {
      timedAcquire(limiter, "c");
    }
    assertTrue(limiter.usingFallback());

    redis.restart(); // an empty Redis: the key can only come back through this limiter

    await(Eventually.until(vertx, 10_000, "back on Redis", () -> Future.succeededFuture(!limiter.usingFallback())));
    long fallbacksBefore = limiter.fallbackCount();
    RateLimitDecision onRedis = await(limiter.acquire(route, "c", FIVE_PER_MINUTE));
    assertEquals(4, onRedis.remaining(), "a fresh Redis window");
    assertTrue(await(inspector.exists(key)));
    assertEquals(fallbacksBefore, limiter.fallbackCount());
  }

  /** Preloaded, as a verticle's start() does: a cold connection must not count as Redis being down. */
  private FailoverRateLimiter limiter(Vertx vertx, LimiterFailureMode mode) throws Exception {
    return limiter(vertx, mode, 1);
  }

  /** @param liveNodes gateway nodes the limiter's node counts (each limiter gets windows of its own, as a node) */
  private FailoverRateLimiter limiter(Vertx vertx, LimiterFailureMode mode, int liveNodes) throws Exception {
    RedisOptions options = new RedisOptions(redis.url(), TIMEOUT_MS, mode);
    FailoverRateLimiter limiter = new FailoverRateLimiter(vertx, options, new RedisSlidingWindowLimiter(vertx, options),
        new NodeShareLimiter(new LocalSlidingWindowLimiter(), () -> liveNodes));
    limiters.add(limiter);
    await(limiter.preload());
    assertFalse(limiter.usingFallback(), "Redis did not answer the preload");
    return limiter;
  }

  /** Every answer, from Redis or the fallback, must come within the timeout plus a margin. */
  private RateLimitDecision timedAcquire(FailoverRateLimiter limiter, String client) {
    long start = System.nanoTime();
    try {
      return limiter.acquire(route, client, FIVE_PER_MINUTE).toCompletionStage().toCompletableFuture()
          .get(TIMEOUT_MS + MARGIN_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (Exception e) {
      throw new AssertionError("acquire did not complete within " + (TIMEOUT_MS + MARGIN_MS) + " ms", e);
    } finally {
      assertTrue(elapsedMs(start) < TIMEOUT_MS + MARGIN_MS, "took " + elapsedMs(start) + " ms");
    }
  }

  private static long elapsedMs(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(AWAIT_S, TimeUnit.SECONDS);
  }
}
