package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lease book driven by a fake clock, with Redis's answers written by hand. */
class LeaseBookTest {
  /** Lease period 50 ms, at most 30 slots per grant. */
  private static final RateLimitPolicy THREE_HUNDRED_PER_2S = new RateLimitPolicy(300, 2_000);
  /** A per-minute plan: short leases of 100 ms, long ones up to a minute. */
  private static final RateLimitPolicy THOUSAND_PER_MINUTE = new RateLimitPolicy(1_000, 60_000);
  private static final String KEY = RateLimitKeys.key("r", "10.0.0.1");

  private final AtomicLong clock = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
  private final AtomicLong ids = new AtomicLong();
  private final LeaseBook book = new LeaseBook(clock::get, () -> "g" + ids.incrementAndGet(), 100);

  @Test
  void aClientSeenOnceCostsOneCallForOneSlotScoredNow() {
    LeaseBook.Step step = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    LeaseBook.Ask ask = step.ask();
    assertNotNull(ask);
    assertEquals(1, ask.need());
    assertEquals(0, ask.spare());
    assertEquals(0, ask.leaseMs());
    assertEquals("", ask.handBack());
    assertFalse(step.answer().isComplete());

    assertNull(book.granted(ask, new Grant(1, 299, 2_000, 2_000)));
    RateLimitDecision decision = step.answer().result();
    assertTrue(decision.allowed());
    assertEquals(299, decision.remaining());
    assertEquals(2_000, decision.resetMs());
  }

  @Test
  void aSlotGivenBackFromAGrantScoredNowGoesBackToRedisOneAtATime() {
    LeaseBook.Step first = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    LeaseBook.Step second = book.acquire(KEY, THREE_HUNDRED_PER_2S); // waits for the first's call
    LeaseBook.Ask again = book.granted(first.ask(), new Grant(1, 299, 2_000, 2_000));
    assertNotNull(again, "the second request asks for itself");
    book.granted(again, new Grant(1, 298, 2_000, 2_000));
    assertTrue(second.answer().result().allowed());

    LeaseBook.Ask back = book.giveBack(KEY); // the second's answer came too late to be used
    assertNotNull(back);
    assertEquals(0, back.need());
    assertEquals(again.grantId(), back.handBack(), "its one slot...");
    assertEquals("", back.handBackAs(), "...is removed");
    assertNull(book.giveBack(KEY), "nothing more of that grant is held");
  }

  @Test
  void aSlotGivenBackFromARunningLeaseServesTheNextRequestHere() {
    LeaseBook.Ask lease = becomeHot();
    int slots = lease.need() + lease.spare();
    book.granted(lease, new Grant(slots, 200, 2_000, 2_000));
    for (int i = 1; i < slots; i++) {
      assertNull(book.acquire(KEY, THREE_HUNDRED_PER_2S).ask());
    }

    assertNull(book.giveBack(KEY), "nothing to send: the lease keeps the slot");
    LeaseBook.Step reused = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    assertNull(reused.ask(), "admitted with the slot given back");
    assertTrue(reused.answer().result().allowed());
    assertNotNull(book.acquire(KEY, THREE_HUNDRED_PER_2S).ask(), "and then the lease is used up");
  }

  @Test
  void aHotClientGetsALeaseAndIsAdmittedLocallyUntilItRunsOut() {
    LeaseBook.Ask lease = becomeHot();
    assertTrue(lease.spare() > 0, lease.toString());
    assertEquals(50, lease.leaseMs());
    int slots = lease.need() + lease.spare();
    assertTrue(slots <= 30, "a grant holds at most a tenth of the limit: " + lease);

    assertNull(book.granted(lease, new Grant(slots, 200, 2_000, 2_000)));
    for (int i = 1; i < slots; i++) {
      LeaseBook.Step local = book.acquire(KEY, THREE_HUNDRED_PER_2S);
      assertNull(local.ask(), "slot " + i + " of " + slots + " is admitted without Redis");
      assertTrue(local.answer().result().allowed());
      assertEquals(200 + slots - 1 - i, local.answer().result().remaining(), "what this node knows");
    }
    LeaseBook.Step next = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    assertNotNull(next.ask(), "the lease is used up: ask again");
    assertEquals(next.ask().handBack(), next.ask().handBackAs(), "nothing unused to give back, the member stays...");
    assertEquals(lease.grantId() + "*" + slots, next.ask().handBack());
    assertEquals(50_000, next.ask().earlierByUs(), "...but is scored at its last use, 50 ms before the lease's end");
  }

  @Test
  void noSlotOfALeaseIsUsedAfterItsEndAndTheUnusedOnesGoBackWithTheNextCall() {
    LeaseBook.Ask lease = becomeHot();
    int slots = lease.need() + lease.spare();
    book.granted(lease, new Grant(slots, 200, 2_000, 2_000));
    assertNull(book.acquire(KEY, THREE_HUNDRED_PER_2S).ask());
    assertNull(book.acquire(KEY, THREE_HUNDRED_PER_2S).ask());
    int used = lease.need() + 2;

    advanceMs(50); // the lease's end, measured from when its call was sent
    LeaseBook.Step after = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    assertNotNull(after.ask(), "an ended lease admits nothing");
    assertEquals(lease.grantId() + "*" + slots, after.ask().handBack());
    assertEquals(lease.grantId() + "*" + used, after.ask().handBackAs(), "the slots really used stay");
    assertTrue(book.dueHandBacks().isEmpty(), "handed back once");
  }

  @Test
  void aGrantCutShortNearTheLimitGetsALeaseAsMuchShorterAndOneWithNoSpareSlotNone() {
    LeaseBook.Ask lease = becomeHot();
    int spareGranted = Math.max(1, lease.spare() / 2);
    long leaseNanos = LeaseSizing.leaseNanos(lease.leaseMs(), lease.spare(), spareGranted);
    assertEquals(TimeUnit.MICROSECONDS.toNanos(lease.leaseMs() * 1_000 * spareGranted / lease.spare()), leaseNanos,
        "the script's lease_us, in whole microseconds");
    book.granted(lease, new Grant(lease.need() + spareGranted, 0, 2_000, 2_000));
    assertEquals(TimeUnit.NANOSECONDS.toMillis(leaseNanos + 999_999), book.nextHandBackInMs(), "it ends sooner");
    clock.addAndGet(leaseNanos);
    LeaseBook.Step after = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    assertFalse(after.answer().isComplete() && after.answer().result().allowed(), "no slot used at or after the shorter end");

    assertEquals(0, LeaseSizing.leaseNanos(50, 29, 0), "only the requests that waited: scored now, no lease");
    assertEquals(TimeUnit.MILLISECONDS.toNanos(50), LeaseSizing.leaseNanos(50, 29, 29), "all the spare: the whole period");
  }

  @Test
  void aLeaseWhoseClientWentQuietIsHandedBackWhenItEnds() {
    LeaseBook.Ask lease = becomeHot();
    int slots = lease.need() + lease.spare();
    book.granted(lease, new Grant(slots, 200, 2_000, 2_000));
    assertEquals(50, book.nextHandBackInMs());
    assertTrue(book.dueHandBacks().isEmpty(), "not before the lease ends");

    advanceMs(50);
    List<LeaseBook.Ask> due = book.dueHandBacks();
    assertEquals(1, due.size());
    assertEquals(0, due.get(0).need());
    assertEquals(lease.grantId() + "*" + slots, due.get(0).handBack());
    assertEquals(lease.need() == 1 ? lease.grantId() : lease.grantId() + "*" + lease.need(), due.get(0).handBackAs());
    assertEquals(-1, book.nextHandBackInMs());
  }

  @Test
  void aFullWindowIsAnsweredLocallyUntilRedisSaidASlotCanFree() {
    LeaseBook.Step first = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    book.granted(first.ask(), new Grant(0, 0, 1_500, 30));
    assertFalse(first.answer().result().allowed());

    advanceMs(29);
    LeaseBook.Step meanwhile = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    assertNull(meanwhile.ask());
    RateLimitDecision rejected = meanwhile.answer().result();
    assertFalse(rejected.allowed());
    assertEquals(0, rejected.remaining());
    assertEquals(1_471, rejected.resetMs(), "the oldest entry's expiry, as Redis said, less the time since");

    advanceMs(1);
    assertNotNull(book.acquire(KEY, THREE_HUNDRED_PER_2S).ask(), "a slot may have freed: ask");
  }

  @Test
  void aFullWindowIsAnsweredLocallyForOneLeasePeriodAtMostSinceAnotherNodeMayHandSlotsBack() {
    LeaseBook.Step first = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    book.granted(first.ask(), new Grant(0, 0, 1_500, 300));
    assertFalse(first.answer().result().allowed());

    advanceMs(49); // a lease lasts 2 s / 40 = 50 ms
    assertNull(book.acquire(KEY, THREE_HUNDRED_PER_2S).ask(), "still answered here");
    advanceMs(1);
    assertNotNull(book.acquire(KEY, THREE_HUNDRED_PER_2S).ask(), "one lease period on: ask Redis again");
  }

  @Test
  void requestsArrivingDuringACallWaitForItAndShareItsSlots() {
    LeaseBook.Step first = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    List<Future<RateLimitDecision>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      LeaseBook.Step step = book.acquire(KEY, THREE_HUNDRED_PER_2S);
      assertNull(step.ask(), "one call in flight per client");
      waiting.add(step.answer());
    }
    LeaseBook.Ask again = book.granted(first.ask(), new Grant(1, 299, 2_000, 2_000));
    assertTrue(first.answer().result().allowed());
    assertNotNull(again, "three more requests, room in the window: one more call for them");
    assertEquals(3, again.need());
    book.granted(again, new Grant(3, 296, 2_000, 2_000));
    assertTrue(waiting.stream().allMatch(answer -> answer.result().allowed()));
  }

  @Test
  void whenTheWindowFillsTheWaitingRequestsBeyondTheGrantAreRejected() {
    LeaseBook.Step first = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    LeaseBook.Step second = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    assertNull(book.granted(first.ask(), new Grant(1, 0, 900, 900)));
    assertTrue(first.answer().result().allowed());
    assertFalse(second.answer().result().allowed());
    assertEquals(900, second.answer().result().resetMs());
  }

  @Test
  void aFailedCallFailsEveryRequestThatWaitedAndTheNextOneAsksAgain() {
    LeaseBook.Step first = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    LeaseBook.Step second = book.acquire(KEY, THREE_HUNDRED_PER_2S);
    book.failed(first.ask(), new IllegalStateException("Redis went away"));
    assertTrue(first.answer().failed());
    assertTrue(second.answer().failed());
    assertNotNull(book.acquire(KEY, THREE_HUNDRED_PER_2S).ask());
  }

  @Test
  void smallLimitsAndShortWindowsNeverLease() {
    RateLimitPolicy fivePerSecond = new RateLimitPolicy(5, 1_000);
    RateLimitPolicy thousandPer50ms = new RateLimitPolicy(1_000, 50);
    for (RateLimitPolicy policy : List.of(fivePerSecond, thousandPer50ms)) {
      for (int i = 0; i < 20; i++) {
        LeaseBook.Step step = book.acquire(KEY + policy, policy);
        assertEquals(0, step.ask().spare(), policy.toString());
        book.granted(step.ask(), new Grant(1, 1, 1_000, 1_000));
      }
    }
  }

  @Test
  void theBookForgetsIdleClientsAndHoldsAtMostItsBound() {
    for (int i = 0; i < 250; i++) {
      LeaseBook.Step step = book.acquire(RateLimitKeys.key("r", "10.1.0." + i), THREE_HUNDRED_PER_2S);
      book.granted(step.ask(), new Grant(1, 299, 2_000, 2_000));
      assertTrue(book.clients() <= 100, "bounded: " + book.clients());
    }
    advanceMs(LeaseBook.IDLE_MS);
    book.acquire(KEY, THREE_HUNDRED_PER_2S);
    assertEquals(1, book.clients(), "idle clients forgotten");
  }

  @Test
  void aForgottenClientGivesBackItsLease() {
    LeaseBook.Ask lease = becomeHot();
    book.granted(lease, new Grant(lease.need() + lease.spare(), 200, 2_000, 2_000));
    for (int i = 0; i < 100; i++) {
      book.acquire(RateLimitKeys.key("r", "10.2.0." + i), THREE_HUNDRED_PER_2S);
    }
    List<LeaseBook.Ask> due = book.dueHandBacks();
    assertEquals(1, due.size(), "evicted with its lease still running");
    assertEquals(KEY, due.get(0).key());
  }

  @Test
  void aSteadyClientFarBelowItsLimitLeasesForAWholeWindowAndIsAdmittedHereMeanwhile() {
    LeaseBook.Ask first = book.acquire(KEY, THOUSAND_PER_MINUTE).ask();
    assertEquals(0, first.spare(), "seen once: its rate is unknown");
    book.granted(first, new Grant(1, 999, 60_000, 60_000));
    advanceMs(1_000);
    LeaseBook.Ask lease = book.acquire(KEY, THOUSAND_PER_MINUTE).ask();
    assertEquals(60_000, lease.leaseMs(), "1 per second on 1 000 per minute: a lease of one window");
    assertEquals(90, lease.need() + lease.spare(), "a window at the rate seen, and half as much again");
    book.granted(lease, new Grant(90, 909, 60_000, 60_000));

    for (int s = 1; s < 59; s++) {
      advanceMs(1_000);
      LeaseBook.Step step = book.acquire(KEY, THOUSAND_PER_MINUTE);
      assertNull(step.ask(), "second " + s + " of the lease: admitted here");
      assertTrue(step.answer().result().allowed());
    }
    advanceMs(2_000); // past the lease's end (a little before it, for clock drift)
    LeaseBook.Ask next = book.acquire(KEY, THOUSAND_PER_MINUTE).ask();
    assertNotNull(next, "the lease ended: ask again");
    assertEquals(lease.grantId() + "*90", next.handBack(), "carrying back what it did not use...");
    assertEquals(lease.grantId() + "*59", next.handBackAs(), "...keeping the slots used");
    assertEquals(60_000, next.leaseMs(), "and a new long lease");
  }

  @Test
  void aLongLeaseShrinksAsTheClientNearsItsLimitAndIsNoneAtIt() {
    LeaseSizing sizing = LeaseSizing.of(THOUSAND_PER_MINUTE);
    assertEquals(60_000, sizing.longLeaseMs(1), "far below: a window");
    assertEquals(26_000, sizing.longLeaseMs(8), "half the limit: shorter");
    assertEquals(1_000, sizing.longLeaseMs(16), "nearly at it: a second");
    assertEquals(0, sizing.longLeaseMs(1_000.0 / 60), "at it: none");
    assertEquals(0, sizing.longLeaseMs(0), "a rate unknown: none");
    assertEquals(LeaseSizing.NONE, sizing.plan(1.6, 16.7, 1), "at the limit, not hot per 100 ms: one slot scored now");
    LeaseSizing.Plan near = sizing.plan(1.6, 16, 1);
    assertEquals(1_000, near.leaseMs());
    assertEquals(24 - 1, near.spare(), "16 per second for a second, and half as much again");
    LeaseSizing.Plan capped = sizing.plan(0.5, 5, 1);
    assertEquals(250, capped.spare() + 1, "a quarter of the limit at most...");
    assertEquals(33_333, capped.leaseMs(), "...for as much less time");
    assertEquals(new LeaseSizing.Plan(14, 50), LeaseSizing.of(THREE_HUNDRED_PER_2S).plan(10, 1_000, 1),
        "a hot client over its limit: a short lease, as before");
  }

  @Test
  void aSteadyClientThatGoesQuietIsForgottenAndHandsItsLongLeaseBackBeforeItEnds() {
    LeaseBook.Ask lease = steadyLease();
    assertEquals(60_000, lease.leaseMs());
    book.granted(lease, new Grant(90, 909, 60_000, 60_000));
    String other = RateLimitKeys.key("r", "10.9.9.9");

    advanceMs(3_000); // three of its usual gaps: not quiet yet
    LeaseBook.Step meanwhile = book.acquire(other, THOUSAND_PER_MINUTE);
    book.granted(meanwhile.ask(), new Grant(1, 999, 60_000, 60_000));
    assertFalse(meanwhile.handBacksDue());
    assertEquals(2, book.clients(), "a client seen every second is kept past IDLE_MS");

    advanceMs(1_100); // four gaps: quiet
    LeaseBook.Step later = book.acquire(other, THOUSAND_PER_MINUTE);
    assertTrue(later.handBacksDue(), "a forgotten client's slots are due now");
    List<LeaseBook.Ask> due = book.dueHandBacks();
    assertEquals(1, due.size(), "not a window later, at its lease's end");
    assertEquals(KEY, due.get(0).key());
    assertEquals(lease.grantId() + "*90", due.get(0).handBack());
    assertEquals(lease.grantId(), due.get(0).handBackAs(), "the one slot it used stays");
    assertEquals(1, book.clients());
  }

  @Test
  void aLongLeaseThatEndsWaitsTwoGapsForTheClientsNextCallToCarryItsUnusedSlotsBack() {
    LeaseBook.Ask lease = steadyLease();
    book.granted(lease, new Grant(90, 909, 60_000, 60_000));
    long endMs = 60_000 - 60_000 / LeaseSizing.DRIFT_DIVISOR;
    assertEquals(endMs + 2_000, book.nextHandBackInMs(), "its end, and two of its gaps");
    advanceMs(endMs);
    assertTrue(book.dueHandBacks().isEmpty(), "not at its end: the client may call");
    advanceMs(2_000);
    List<LeaseBook.Ask> due = book.dueHandBacks();
    assertEquals(1, due.size(), "it did not: the timer hands them back");
    assertEquals(lease.grantId() + "*90", due.get(0).handBack());
  }

  /** Two requests a second apart: the second asks for a long lease. */
  private LeaseBook.Ask steadyLease() {
    LeaseBook.Ask first = book.acquire(KEY, THOUSAND_PER_MINUTE).ask();
    book.granted(first, new Grant(1, 999, 60_000, 60_000));
    advanceMs(1_000);
    return book.acquire(KEY, THOUSAND_PER_MINUTE).ask();
  }

  /** Requests a millisecond apart until the client is hot enough for its call to ask for a lease: that call. */
  private LeaseBook.Ask becomeHot() {
    for (int i = 0; i < 10; i++) {
      LeaseBook.Ask ask = book.acquire(KEY, THREE_HUNDRED_PER_2S).ask();
      assertNotNull(ask);
      if (ask.spare() > 0) {
        assertTrue(i >= LeaseSizing.HOT_PER_LEASE - 1, "not before a handful of requests: " + i);
        return ask;
      }
      assertNull(book.granted(ask, new Grant(1, 290, 2_000, 2_000)));
      advanceMs(1);
    }
    throw new AssertionError("ten requests in 10 ms never earned a lease");
  }

  private void advanceMs(long ms) {
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }
}
