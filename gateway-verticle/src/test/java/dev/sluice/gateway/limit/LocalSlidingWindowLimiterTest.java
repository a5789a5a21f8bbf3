package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.config.RateLimitPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalSlidingWindowLimiterTest {
  private static final RateLimitPolicy THREE_PER_SECOND = new RateLimitPolicy(3, 1_000);

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final LocalSlidingWindowLimiter limiter = new LocalSlidingWindowLimiter(clock::get);

  @Test
  void allowsExactlyTheLimitAndCountsDown() {
    assertEquals(new RateLimitDecision(true, 3, 2, 1_000), acquire("a"));
    clock.addAndGet(100);
    assertEquals(new RateLimitDecision(true, 3, 1, 900), acquire("a"));
    assertEquals(new RateLimitDecision(true, 3, 0, 900), acquire("a"));
    assertEquals(new RateLimitDecision(false, 3, 0, 900), acquire("a"));
  }

  @Test
  void decidesAsAPlainListOfTimestampsWouldThroughBurstsPausesAndWrapArounds() {
    RateLimitPolicy fiftyPer200ms = new RateLimitPolicy(50, 200);
    List<Long> admittedAt = new ArrayList<>(); // the reference: every admission's time, nothing merged
    Random steps = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      long now = clock.addAndGet(steps.nextInt(10) < 6 ? 0 : steps.nextInt(12)); // bursts within a ms
      admittedAt.removeIf(at -> now - at >= fiftyPer200ms.windowMs());
      boolean expected = admittedAt.size() < fiftyPer200ms.limit();
      if (expected) {
        admittedAt.add(now);
      }
      RateLimitDecision decision = acquire("a", fiftyPer200ms);
      assertEquals(expected, decision.allowed(), "request " + i);
      assertEquals(fiftyPer200ms.limit() - admittedAt.size(), decision.remaining(), "request " + i);
    }
  }

  @Test
  void theWindowSlidesOneEntryAtATime() {
    acquire("a");
    acquire("a");
    clock.addAndGet(400);
    acquire("a");

    clock.addAndGet(599); // 999 ms after the first two: still inside
    assertFalse(acquire("a").allowed());

    clock.addAndGet(1); // the first two leave together; the one at +400 stays
    RateLimitDecision afterSlide = acquire("a");
    assertTrue(afterSlide.allowed());
    assertEquals(1, afterSlide.remaining());
    assertEquals(400, afterSlide.resetMs());
    assertTrue(acquire("a").allowed());
    assertFalse(acquire("a").allowed());
  }

  @Test
  void rejectedRequestsAreNotCounted() {
    for (int i = 0; i < 3; i++) {
      acquire("a");
    }
    for (int i = 0; i < 100; i++) {
      clock.addAndGet(9);
      assertFalse(acquire("a").allowed());
    }
    clock.addAndGet(100); // 1000 ms after the three counted ones, whatever was rejected since
    assertEquals(2, acquire("a").remaining());
  }

  @Test
  void clientsAndRoutesHaveTheirOwnWindows() {
    for (int i = 0; i < 3; i++) {
      acquire("a");
    }
    assertFalse(acquire("a").allowed());
    assertTrue(acquire("b").allowed());
    assertTrue(limiter.acquire("other-route", "a", THREE_PER_SECOND).result().allowed());
  }

  @Test
  void emptyWindowsAreDroppedSoMemoryFollowsActiveClients() {
    for (int i = 0; i < 1_000; i++) {
      acquire("client-" + i);
    }
    assertEquals(1_000, limiter.trackedClients());

    clock.addAndGet(LocalSlidingWindowLimiter.SWEEP_INTERVAL_MS);
    acquire("latecomer");

    assertEquals(1, limiter.trackedClients());
  }

  @Test
  void aClientStillInsideItsWindowSurvivesTheSweep() {
    acquire("quiet");
    clock.addAndGet(LocalSlidingWindowLimiter.SWEEP_INTERVAL_MS);
    RateLimitPolicy longWindow = new RateLimitPolicy(3, 60_000);
    limiter.acquire("r", "busy", longWindow);
    clock.addAndGet(LocalSlidingWindowLimiter.SWEEP_INTERVAL_MS);
    acquire("latecomer");

    assertEquals(2, limiter.trackedClients());
    assertEquals(1, limiter.acquire("r", "busy", longWindow).result().remaining());
  }

  @Test
  void requestsRedisAdmittedCountAgainstTheWindowUpToItsLimit() {
    for (int i = 0; i < 5; i++) {
      limiter.mirror("r", "a", THREE_PER_SECOND, new RateLimitDecision(true, 10, 9 - i, 1_000), 10);
    }
    assertFalse(acquire("a").allowed(), "three mirrored, none left");
    clock.addAndGet(1_000);
    assertTrue(acquire("a").allowed(), "and they leave the window like any other");
  }

  @Test
  void theRoomRedisSaidIsLeftBoundsWhatThisNodeAdmitsAloneUntilASlotFrees() {
    RateLimitPolicy tenPerSecond = new RateLimitPolicy(10, 1_000);
    // Another node took most of the window: Redis says 2 are left, this node's share of them is 1.
    limiter.mirror("r", "a", tenPerSecond, new RateLimitDecision(true, 20, 2, 400), 1);
    assertTrue(acquire("a", tenPerSecond).allowed());
    assertFalse(acquire("a", tenPerSecond).allowed(), "only its share of the room Redis reported");
    clock.addAndGet(400); // the oldest entry in Redis has left: the bound no longer holds
    assertTrue(acquire("a", tenPerSecond).allowed());
  }

  @Test
  void anAdmissionThatTookTheLastSlotFillsTheWindowLikeARejection() {
    limiter.mirror("r", "a", THREE_PER_SECOND, new RateLimitDecision(true, 10, 0, 300), 0);
    assertFalse(acquire("a").allowed());
    clock.addAndGet(300);
    assertTrue(acquire("a").allowed());
  }

  @Test
  void windowsKeptOnlyByMirroringAreSweptToo() {
    for (int i = 0; i < 1_000; i++) {
      limiter.mirror("r", "client-" + i, THREE_PER_SECOND, new RateLimitDecision(true, 3, 2, 1_000), 2);
    }
    assertEquals(1_000, limiter.trackedClients());
    clock.addAndGet(LocalSlidingWindowLimiter.SWEEP_INTERVAL_MS);
    limiter.mirror("r", "latest", THREE_PER_SECOND, new RateLimitDecision(false, 3, 0, 500), 0);
    assertEquals(1, limiter.trackedClients(), "Redis healthy, nobody calls acquire: mirror sweeps");
  }

  @Test
  void aRejectionFromRedisFillsTheWindowUntilRedisSaidASlotFrees() {
    limiter.mirror("r", "a", THREE_PER_SECOND, new RateLimitDecision(false, 10, 0, 700), 0);
    RateLimitDecision rejected = acquire("a");
    assertFalse(rejected.allowed());
    assertEquals(700, rejected.resetMs());
    clock.addAndGet(699);
    assertFalse(acquire("a").allowed());
    clock.addAndGet(1);
    assertTrue(acquire("a").allowed());
    assertEquals(1, limiter.trackedClients());
  }

  private RateLimitDecision acquire(String client) {
    return acquire(client, THREE_PER_SECOND);
  }

  private RateLimitDecision acquire(String client, RateLimitPolicy policy) {
    return limiter.acquire("r", client, policy).result();
  }
}
