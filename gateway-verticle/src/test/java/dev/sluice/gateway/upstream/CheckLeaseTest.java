package dev.sluice.gateway.upstream;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two checkers of one target on one map (Vert.x's local one here), on a clock the test moves. */
class CheckLeaseTest {
  static final long STALE_MS = 1000;
  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong now = new AtomicLong(5_000);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  CheckLease lease(String holder) {
    return new CheckLease(vertx, "r", "http://t:1", holder, STALE_MS, now::get);
  }

  @Test
  void aHolderThatKeepsRenewingKeepsTheLeaseHoweverLongItHoldsIt() {
    CheckLease a = lease("a");
    CheckLease b = lease("b");
    assertTrue(a.renew().await());
    for (int i = 0; i < 10; i++) {
      assertFalse(b.renew().await(), "round " + i);
      now.addAndGet(STALE_MS / 2);
      assertTrue(a.renew().await(), "round " + i);
    }
  }

  @Test
  void aHolderThatStopsRenewingLosesTheLeaseOnceItIsStaleAndStandsDownWhenItResumes() {
    CheckLease a = lease("a");
    CheckLease b = lease("b");
    assertTrue(a.renew().await());
    assertFalse(b.renew().await());
    now.addAndGet(STALE_MS - 1);
    assertFalse(b.renew().await(), "not stale yet");
    now.addAndGet(1);
    assertTrue(b.renew().await(), "a froze: b takes over");
    assertFalse(a.renew().await(), "a resumes: its renewal fails, it stands down");
    assertFalse(a.held());
    assertTrue(b.renew().await());
    assertFalse(a.renew().await(), "and it does not take it back while b renews");
  }

  /** After a merge the map keeps one side's entry: the other side's holder must not speak, nor take it back. */
  @Test
  void aHolderWhoseEntryAMergeReplacedFailsItsFenceAndStaysDown() {
    CheckLease a = lease("a");
    CheckLease b = lease("b");
    assertTrue(a.renew().await());
    assertTrue(a.confirm().await(), "the holder passes its own fence");
    // The merge: the larger side's value replaces a's entry, as Hazelcast's PutIfAbsent merge leaves it.
    vertx.sharedData().<String, String>getAsyncMap(CheckLease.MAP)
      .compose(m -> m.put("r http://t:1", "b-side 1")).await();
    assertFalse(a.confirm().await(), "a's verdict would come from a lease it no longer holds");
    assertFalse(a.held());
    assertFalse(a.confirm().await(), "confirm never takes the lease");
    assertFalse(b.confirm().await(), "b never held it here");
  }

  @Test
  void aReleasedLeaseIsTakenAtTheNextTry() {
    CheckLease a = lease("a");
    CheckLease b = lease("b");
    assertTrue(a.renew().await());
    assertFalse(b.renew().await());
    a.release().await();
    assertTrue(b.renew().await());
    assertFalse(a.renew().await());
  }
}
