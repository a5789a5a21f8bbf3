package dev.sluice.gateway.limit;

import static dev.sluice.gateway.limit.Decisions.allowed;
import static dev.sluice.gateway.limit.Decisions.awaitAll;
import static dev.sluice.gateway.limit.Decisions.concurrently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.LocalRedis;
import dev.sluice.gateway.config.LimiterFailureMode;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import dev.sluice.gateway.redis.PipelinedRedis;
import dev.sluice.gateway.redis.RedisUrl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisSlidingWindowLimiterTest {
  private static final long AWAIT_S = 10;
  private static final RateLimitPolicy FIFTY_PER_10S = new RateLimitPolicy(50, 10_000);

  @RegisterExtension
  static final LocalRedis redis = new LocalRedis();
  private RedisSlidingWindowLimiter limiter;
  private RedisInspector inspector;
  /** A fresh route per test: tests share one Redis but never a window. */
  private String route;

  @BeforeEach
  void connect(Vertx vertx) {
    limiter = newLimiter(vertx);
    inspector = new RedisInspector(vertx, redis.url());
    route = "route-" + UUID.randomUUID();
  }

  @AfterEach
  void disconnect() throws Exception {
    await(limiter.close());
    await(inspector.close());
  }

  @Test
  void allowsExactlyTheLimitOutOf200ConcurrentAcquires(VertxTestContext ctx) {
    List<Future<RateLimitDecision>> decisions = concurrently(limiter, route, "10.0.0.1", FIFTY_PER_10S, 200);

    Future.all(decisions).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertEquals(50, allowed(decisions));
      for (Future<RateLimitDecision> each : decisions) {
        RateLimitDecision decision = each.result();
        if (!decision.allowed()) {
          assertEquals(0, decision.remaining());
          assertTrue(decision.resetMs() > 0 && decision.resetMs() <= 10_000, decision.toString());
          assertTrue(decision.retryAfterSeconds() >= 1);
        }
      }
      ctx.completeNow();
    })));
  }

  @Test
  void twoLimitersLikeTwoGatewayNodesShareOneBudget(Vertx vertx, VertxTestContext ctx) {
    RedisSlidingWindowLimiter otherNode = newLimiter(vertx);
    List<Future<RateLimitDecision>> decisions = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      decisions.add(limiter.acquire(route, "10.0.0.2", FIFTY_PER_10S));
      decisions.add(otherNode.acquire(route, "10.0.0.2", FIFTY_PER_10S));
    }

    Future.all(decisions)
        .compose(all -> inspector.counted(RateLimitKeys.key(route, "10.0.0.2"), FIFTY_PER_10S))
        .eventually(otherNode::close)
        .onComplete(ctx.succeeding(counted -> ctx.verify(() -> {
          assertEquals(50, allowed(decisions));
          assertEquals(50, counted, "rejected requests must not be stored");
          ctx.completeNow();
        })));
  }

  @Test
  void clientsHaveIndependentBudgets(VertxTestContext ctx) {
    List<Future<RateLimitDecision>> first = concurrently(limiter, route, "10.0.0.3", FIFTY_PER_10S, 100);
    List<Future<RateLimitDecision>> second = concurrently(limiter, route, "10.0.0.4", FIFTY_PER_10S, 100);

    Future.all(Future.all(first), Future.all(second)).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertEquals(50, allowed(first));
      assertEquals(50, allowed(second));
      ctx.completeNow();
    })));
  }

  @Test
  void clientsAskingInOneTurnShareScriptCallsAndEachKeepsItsOwnLimit(Vertx vertx) throws Exception {
    int clients = 40;
    RateLimitPolicy tenPer10s = new RateLimitPolicy(10, 10_000);
    Context loop = vertx.getOrCreateContext();
    long callsBefore = await(inspector.scriptCalls());
    // Made and used on one event loop, as in the gateway: every ask of one turn meets in one call.
    Promise<List<List<Future<RateLimitDecision>>>> asked = Promise.promise();
    Promise<RedisSlidingWindowLimiter> made = Promise.promise();
    loop.runOnContext(v -> {
      RedisSlidingWindowLimiter onLoop = newLimiter(vertx);
      made.complete(onLoop);
      asked.complete(IntStream.range(0, clients)
          .mapToObj(c -> concurrently(onLoop, route, "10.2.0." + c, tenPer10s, 15))
          .toList());
    });
    try {
      List<List<Future<RateLimitDecision>>> perClient = await(asked.future());
      for (List<Future<RateLimitDecision>> decisions : perClient) {
        assertEquals(10, allowed(awaitAll(decisions)), "each client exactly its own limit");
      }
      long calls = await(inspector.scriptCalls()) - callsBefore;
      assertTrue(calls < clients, calls + " script calls for " + clients + " clients asking in one turn");
      for (int c = 0; c < clients; c++) {
        assertEquals(10, await(inspector.counted(RateLimitKeys.key(route, "10.2.0." + c), tenPer10s)));
      }
    } finally {
      await(made.future().compose(RedisSlidingWindowLimiter::close));
    }
  }

  @Test
  void aWindowRedisCannotRunFailsAloneAndTheOthersInItsCallAreAnswered(Vertx vertx) throws Exception {
    String poisoned = "10.3.0.0";
    // Something else than a sorted set under a window's key: WRONGTYPE for that window's commands.
    await(inspector.poison(RateLimitKeys.key(route, poisoned)));
    Context loop = vertx.getOrCreateContext();
    Promise<List<Future<RateLimitDecision>>> asked = Promise.promise();
    Promise<RedisSlidingWindowLimiter> made = Promise.promise();
    loop.runOnContext(v -> {
      RedisSlidingWindowLimiter onLoop = newLimiter(vertx);
      made.complete(onLoop);
      // One turn: the poisoned window shares its call with nine others.
      asked.complete(IntStream.range(0, 10).mapToObj(c -> onLoop.acquire(route, "10.3.0." + c, FIFTY_PER_10S)).toList());
    });
    try {
      List<Future<RateLimitDecision>> decisions = await(asked.future());
      Future.join(decisions).otherwiseEmpty().await(AWAIT_S, TimeUnit.SECONDS);
      assertTrue(decisions.get(0).failed(), "the window Redis could not run fails: " + decisions.get(0));
      assertTrue(decisions.get(0).cause().getMessage().contains("WRONGTYPE"), decisions.get(0).cause().getMessage());
      for (Future<RateLimitDecision> other : decisions.subList(1, 10)) {
        assertTrue(other.succeeded() && other.result().allowed(), "answered from Redis: " + other);
      }
    } finally {
      await(made.future().compose(RedisSlidingWindowLimiter::close));
    }
  }

  @Test
  void remainingCountsDownAndResetFollowsTheOldestEntry() throws Exception {
    RateLimitPolicy fivePer10s = new RateLimitPolicy(5, 10_000);
    long previousReset = Long.MAX_VALUE;
    for (int expectedRemaining = 4; expectedRemaining >= 0; expectedRemaining--) {
      RateLimitDecision decision = await(limiter.acquire(route, "10.0.0.5", fivePer10s));
      assertTrue(decision.allowed());
      assertEquals(5, decision.limit());
      assertEquals(expectedRemaining, decision.remaining());
      assertTrue(decision.resetMs() > 0 && decision.resetMs() <= 10_000, decision.toString());
      // The oldest entry stays the first one, so the time until it leaves only shrinks.
      assertTrue(decision.resetMs() <= previousReset, decision + " after " + previousReset);
      previousReset = decision.resetMs();
    }

    RateLimitDecision rejected = await(limiter.acquire(route, "10.0.0.5", fivePer10s));
    assertFalse(rejected.allowed());
    assertEquals(0, rejected.remaining());
    assertTrue(rejected.resetMs() > 0 && rejected.resetMs() <= previousReset, rejected.toString());
    assertEquals((rejected.resetMs() + 999) / 1000, rejected.retryAfterSeconds());
  }

  @Test
  void theWindowSlidesAndRejectedRequestsDoNotExtendIt(Vertx vertx) throws Exception {
    RateLimitPolicy fivePerSecond = new RateLimitPolicy(5, 1_000);
    String key = RateLimitKeys.key(route, "10.0.0.6");
    assertEquals(5, allowed(awaitAll(concurrently(limiter, route, "10.0.0.6", fivePerSecond, 10))));
    assertEquals(0, allowed(awaitAll(concurrently(limiter, route, "10.0.0.6", fivePerSecond, 10))));
    assertEquals(5, await(inspector.counted(key, fivePerSecond)), "rejected requests must not be stored");

    // Rejections neither add entries nor refresh the TTL, so the window empties on time.
    await(Eventually.until(vertx, 5_000, "window emptied", () -> inspector.exists(key).map(exists -> !exists)));

    assertEquals(5, allowed(awaitAll(concurrently(limiter, route, "10.0.0.6", fivePerSecond, 10))));
  }

  @Test
  void aSmallWindowReadWholeSlidesOneEntryAtATime(Vertx vertx) throws Exception {
    // Limit 2: the set holds at most two plain entries, which the script reads whole and trims
    // itself. Each step asks again until the next entry has left, so no sleep decides anything.
    RateLimitPolicy twoPer600ms = new RateLimitPolicy(2, 600);
    String client = "10.0.0.9";
    String key = RateLimitKeys.key(route, client);
    assertTrue(await(limiter.acquire(route, client, twoPer600ms)).allowed());
    await(vertx.timer(300)); // the two entries leave 300 ms apart: room for a slow poll
    assertTrue(await(limiter.acquire(route, client, twoPer600ms)).allowed());
    RateLimitDecision full = await(limiter.acquire(route, client, twoPer600ms));
    assertFalse(full.allowed(), "two entries: full");
    assertTrue(full.resetMs() <= 600, "reset follows the oldest entry: " + full);

    // The oldest leaves first: one slot, then full again, with the newer entry still counted.
    await(Eventually.until(vertx, 5_000, "the oldest entry left",
        () -> limiter.acquire(route, client, twoPer600ms).map(RateLimitDecision::allowed)));
    assertEquals(2, await(inspector.counted(key, twoPer600ms)), "the newer entry and the one just admitted");
    assertFalse(await(limiter.acquire(route, client, twoPer600ms)).allowed());

    // Both leave: the next two fit again.
    await(Eventually.until(vertx, 5_000, "the window emptied", () -> inspector.counted(key, twoPer600ms).map(n -> n == 0)));
    assertEquals(2, allowed(awaitAll(concurrently(limiter, route, client, twoPer600ms, 5))));
    assertEquals(2, await(inspector.members(key)), "every trimmed entry left the set");
  }

  @Test
  void aFullSetOfThreeTrimsItsOldestFromWhatItReadAndCountsTheRest(Vertx vertx) throws Exception {
    // Three plain entries, the oldest 500 ms before the other two: the script reads all three,
    // sees the oldest leave while the third is still in, trims it itself (ZREM) and counts the
    // rest (ZCARD); the new oldest comes from the read.
    RateLimitPolicy threePerSecond = new RateLimitPolicy(3, 1_000);
    String client = "10.0.0.10";
    String key = RateLimitKeys.key(route, client);
    assertTrue(await(limiter.acquire(route, client, threePerSecond)).allowed());
    await(vertx.timer(500));
    assertEquals(2, allowed(awaitAll(concurrently(limiter, route, client, threePerSecond, 2))));
    assertFalse(await(limiter.acquire(route, client, threePerSecond)).allowed(), "three entries: full");

    AtomicReference<RateLimitDecision> last = new AtomicReference<>();
    await(Eventually.until(vertx, 5_000, "the oldest entry left",
        () -> limiter.acquire(route, client, threePerSecond).map(decision -> {
          last.set(decision);
          return decision.allowed();
        })));
    RateLimitDecision admitted = last.get();
    assertEquals(3, await(inspector.members(key)), "the two newer entries and this one; the oldest left the set");
    assertEquals(0, admitted.remaining(), admitted.toString());
    // Not 0 (the trimmed entry's time) and not a whole window (as if this grant were alone).
    assertTrue(admitted.resetMs() > 0 && admitted.resetMs() < 1_000, "reset follows the newer entries now: " + admitted);
    assertFalse(await(limiter.acquire(route, client, threePerSecond)).allowed(), "full again");
    assertEquals(3, await(inspector.counted(key, threePerSecond)));
  }

  @Test
  void theKeyExpiresOneWindowAfterTheLastCountedRequest(Vertx vertx) throws Exception {
    String key = RateLimitKeys.key(route, "10.0.0.7");
    await(limiter.acquire(route, "10.0.0.7", new RateLimitPolicy(3, 500)));

    long ttl = await(inspector.pttl(key));
    // A window plus the longest lease: a lease's slots are scored at its end.
    assertTrue(ttl > 0 && ttl <= 500 + 100, "PTTL " + ttl);
    await(Eventually.until(vertx, 5_000, "key expired", () -> inspector.exists(key).map(exists -> !exists)));
  }

  @Test
  void aLongLeaseKeepsItsKeyAWindowPastItsEndWhateverIsAddedAfterIt(Vertx vertx) throws Exception {
    RateLimitPolicy plan = new RateLimitPolicy(100, 2_000);
    SlidingWindowScript script = SlidingWindowScript.load();
    PipelinedRedis direct = new PipelinedRedis(vertx, RedisUrl.toClientOptions(redis.url()));
    try {
      // A weighted lease of a window (read back through PTTL, the set holds "#"), then a slot scored now.
      String weighted = RateLimitKeys.key(route, "10.0.0.70");
      assertEquals(10, Grant.of(await(script.run(direct, List.of(ask(weighted, plan, "n1:1", 1, 9, 2_000)))), 0).granted());
      long ttl = await(inspector.pttl(weighted));
      assertTrue(ttl > 3_000 && ttl <= 4_000, "a window past the lease's end: PTTL " + ttl);
      assertEquals(1, Grant.of(await(script.run(direct, List.of(ask(weighted, plan, "n2:1", 1, 0, 0)))), 0).granted());
      ttl = await(inspector.pttl(weighted));
      assertTrue(ttl > 3_000, "not lowered to the window the later slot needs: PTTL " + ttl);

      // A one-slot lease (a plain member, so the next call reads the set whole), then a slot scored now.
      String plain = RateLimitKeys.key(route, "10.0.0.71");
      assertEquals(1, Grant.of(await(script.run(direct, List.of(ask(plain, plan, "n1:2", 0, 1, 2_000)))), 0).granted());
      assertEquals(1, Grant.of(await(script.run(direct, List.of(ask(plain, plan, "n2:2", 1, 0, 0)))), 0).granted());
      ttl = await(inspector.pttl(plain));
      assertTrue(ttl > 3_000 && ttl <= 4_000, "the lease's member needs a window past its end: PTTL " + ttl);
    } finally {
      await(direct.close());
    }
  }

  private static LeaseBook.Ask ask(String key, RateLimitPolicy policy, String grantId, int need, int spare, long leaseMs) {
    return new LeaseBook.Ask(null, key, policy, grantId, need, spare, leaseMs, "", "", 0, 0);
  }

  @Test
  void scriptFlushIsHealedTransparently() throws Exception {
    RateLimitPolicy tenPerMinute = new RateLimitPolicy(10, 60_000);
    assertEquals(9, await(limiter.acquire(route, "10.0.0.8", tenPerMinute)).remaining());

    await(inspector.flushScripts());
    assertFalse(await(inspector.scriptCached(limiter.scriptSha())));

    RateLimitDecision afterFlush = await(limiter.acquire(route, "10.0.0.8", tenPerMinute));
    assertTrue(afterFlush.allowed());
    assertEquals(8, afterFlush.remaining(), "the window survives a script flush");
    assertTrue(await(inspector.scriptCached(limiter.scriptSha())), "NOSCRIPT retry caches the script again");
  }

  @Test
  void aBatchThatMeetsAFlushedScriptCacheCountsEveryRequestOnce(Vertx vertx) throws Exception {
    RateLimitPolicy fiftyPerMinute = new RateLimitPolicy(50, 60_000);
    // Made and called on one context, so all twenty go out as one pipelined batch.
    io.vertx.core.Context context = vertx.getOrCreateContext();
    io.vertx.core.Promise<List<Future<RateLimitDecision>>> fired = io.vertx.core.Promise.promise();
    await(inspector.flushScripts());
    context.runOnContext(v -> {
      RedisSlidingWindowLimiter batched = newLimiter(vertx);
      List<Future<RateLimitDecision>> decisions = concurrently(batched, route, "10.0.0.7", fiftyPerMinute, 20);
      Future.all(decisions).onComplete(done -> batched.close().onComplete(closed -> fired.complete(decisions)));
    });
    List<Future<RateLimitDecision>> decisions = await(fired.future());

    assertEquals(20, allowed(awaitAll(decisions)), "every request answered after the NOSCRIPT retry");
    assertEquals(20, await(inspector.counted(RateLimitKeys.key(route, "10.0.0.7"), fiftyPerMinute)), "each counted once");
    assertEquals(30, decisions.stream().mapToInt(d -> d.result().remaining()).min().orElseThrow());
    assertTrue(await(inspector.scriptCached(limiter.scriptSha())));
  }

  @Test
  void aRestartedRedisIsUsedAgainByTheSameLimiter() throws Exception {
    RateLimitPolicy tenPerMinute = new RateLimitPolicy(10, 60_000);
    assertTrue(await(limiter.acquire(route, "10.0.0.9", tenPerMinute)).allowed());

    redis.restart(); // empty data, empty script cache, pooled connections broken

    RateLimitDecision afterRestart = await(limiter.acquire(route, "10.0.0.9", tenPerMinute));
    assertTrue(afterRestart.allowed());
    assertEquals(9, afterRestart.remaining(), "a fresh Redis starts a fresh window");
    assertTrue(await(inspector.exists(RateLimitKeys.key(route, "10.0.0.9"))));
  }

  @Test
  void preloadLoadsTheScriptUnderTheShaComputedLocally() throws Exception {
    await(inspector.flushScripts());
    await(limiter.preload());
    assertTrue(await(inspector.scriptCached(limiter.scriptSha())));
  }

  @Test
  void aHotClientHoldsOneMemberPerGrantAndCostsFarFewerCallsThanRequests() throws Exception {
    RateLimitPolicy hundredThousandPerMinute = new RateLimitPolicy(100_000, 60_000);
    String key = RateLimitKeys.key(route, "10.0.1.1");
    long callsBefore = await(inspector.scriptCalls());
    long allowed = 0;
    int requests = 0;
    // Batches of concurrent requests, as a busy event loop sees them; bounded in count, not time.
    for (int batch = 0; batch < 200; batch++) {
      allowed += allowed(awaitAll(concurrently(limiter, route, "10.0.1.1", hundredThousandPerMinute, 100)));
      requests += 100;
    }
    long calls = await(inspector.scriptCalls()) - callsBefore;
    long members = await(inspector.members(key));
    long counted = await(inspector.counted(key, hundredThousandPerMinute));

    assertEquals(requests, allowed, "far under the limit: every request admitted");
    assertTrue(members * 10 <= requests, members + " members for " + requests + " requests");
    assertTrue(calls * 10 <= requests, calls + " script calls for " + requests + " requests");
    // Counted = admitted + what the running lease has not used yet (at most one grant).
    assertTrue(counted >= allowed && counted - allowed <= hundredThousandPerMinute.limit() / 10,
        "counted " + counted + ", admitted " + allowed);
  }

  @Test
  void twoHotLimitersNeverAdmitMoreThanTheLimitTogether(Vertx vertx) throws Exception {
    RedisSlidingWindowLimiter otherNode = newLimiter(vertx);
    RateLimitPolicy threeHundredPer10s = new RateLimitPolicy(300, 10_000);
    long allowed = 0;
    try {
      for (int batch = 0; batch < 40; batch++) {
        allowed += allowed(awaitAll(concurrently(limiter, route, "10.0.1.2", threeHundredPer10s, 25)));
        allowed += allowed(awaitAll(concurrently(otherNode, route, "10.0.1.2", threeHundredPer10s, 25)));
      }
    } finally {
      await(otherNode.close());
    }
    assertTrue(allowed <= 300, "admitted " + allowed);
    // Under-served by at most the slots the two running leases hold (a tenth of the limit each).
    assertTrue(allowed >= 300 - 2 * 30, "admitted " + allowed);
    assertTrue(await(inspector.counted(RateLimitKeys.key(route, "10.0.1.2"), threeHundredPer10s)) <= 300);
  }

  @Test
  void aSaturatedHotClientsWeightedGrantsLeaveTheWindowWithAllTheirSlots(Vertx vertx) throws Exception {
    RateLimitPolicy threeHundredPerSecond = new RateLimitPolicy(300, 1_000);
    long allowed = 0;
    for (int batch = 0; batch < 20; batch++) {
      allowed += allowed(awaitAll(concurrently(limiter, route, "10.0.1.4", threeHundredPerSecond, 50)));
    }
    assertTrue(allowed <= 300, "admitted " + allowed);
    await(limiter.close()); // no lease of it runs on; @AfterEach closes it again, harmlessly
    assertTrue(await(inspector.members(RateLimitKeys.key(route, "10.0.1.4"))) < allowed, "weighted members");

    // A fresh limiter, one request at a time: once those grants have left the window, the whole
    // budget is back, so the script's count of weighted slots went down with them.
    RedisSlidingWindowLimiter probe = newLimiter(vertx);
    try {
      await(Eventually.until(vertx, 10_000, "the budget back", () -> probe.acquire(route, "10.0.1.4", threeHundredPerSecond)
          .map(decision -> decision.allowed() && decision.remaining() >= 300 - 100)));
    } finally {
      await(probe.close());
    }
  }

  @Test
  void unusedSlotsOfALeaseGoBackWhenItEnds(Vertx vertx) throws Exception {
    RateLimitPolicy threeHundredPer10s = new RateLimitPolicy(300, 10_000);
    String key = RateLimitKeys.key(route, "10.0.1.3");
    long allowed = 0;
    for (int batch = 0; batch < 5; batch++) {
      allowed += allowed(awaitAll(concurrently(limiter, route, "10.0.1.3", threeHundredPer10s, 10)));
    }
    long admitted = allowed;
    // The client went quiet: its last lease ends within 50 ms and gives back what it did not use.
    await(Eventually.until(vertx, 5_000, "unused slots handed back",
        () -> inspector.counted(key, threeHundredPer10s).map(counted -> counted == admitted)));
  }

  private RedisSlidingWindowLimiter newLimiter(Vertx vertx) {
    return new RedisSlidingWindowLimiter(vertx, new RedisOptions(redis.url(), 50, LimiterFailureMode.LOCAL));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(AWAIT_S, TimeUnit.SECONDS);
  }
}
