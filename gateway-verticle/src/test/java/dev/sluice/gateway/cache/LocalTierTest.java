package dev.sluice.gateway.cache;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The per-node tier: bounded by entries and bytes (least recently used first), aged on its own clock. */
class LocalTierTest {
  private final long[] nanos = {0};

  static Found found(String path, int bodyBytes, long freshnessMs, long ageMs) {
    CachedEntry entry = new CachedEntry(path, 200, List.of(), Buffer.buffer(new byte[bodyBytes]), freshnessMs, 0,
      freshnessMs, false);
    return new Found(entry, ageMs, false);
  }

  @Test
  void anEntryAgesOnTheNodesClockAndGoesWhenItIsNoLongerFresh() {
    LocalTier tier = new LocalTier(10, 1_000_000, () -> nanos[0]);
    tier.put("k", found("/a", 10, 5_000, 1_000));
    nanos[0] = TimeUnit.SECONDS.toNanos(2);
    assertEquals(3_000, tier.freshOrNull("k").ageMs());
    nanos[0] = TimeUnit.SECONDS.toNanos(4);
    assertNull(tier.freshOrNull("k"));
    assertEquals(0, tier.size());
    assertEquals(0, tier.bytes());
  }

  @Test
  void theLeastRecentlyUsedEntryGoesFirstWhenEitherBoundIsPassed() {
    LocalTier tier = new LocalTier(2, 1_000_000, () -> nanos[0]);
    tier.put("a", found("/a", 10, 60_000, 0));
    tier.put("b", found("/b", 10, 60_000, 0));
    assertNotNull(tier.freshOrNull("a")); // a is now the most recently used
    tier.put("c", found("/c", 10, 60_000, 0));
    assertNull(tier.freshOrNull("b"));
    assertNotNull(tier.freshOrNull("a"));

    long weight = found("/x", 1000, 60_000, 0).entry().weight();
    LocalTier small = new LocalTier(100, weight * 2, () -> nanos[0]);
    small.put("x", found("/x", 1000, 60_000, 0));
    small.put("y", found("/y", 1000, 60_000, 0));
    small.put("z", found("/z", 1000, 60_000, 0));
    assertEquals(2, small.size());
    assertNull(small.freshOrNull("x"));
  }

  @Test
  void aPurgeByPrefixDropsOnlyTheEntriesUnderIt() {
    LocalTier tier = new LocalTier(10, 1_000_000, () -> nanos[0]);
    tier.put("1", found("/items/1", 10, 60_000, 0));
    tier.put("2", found("/users/1", 10, 60_000, 0));
    tier.purge("/items");
    assertNull(tier.freshOrNull("1"));
    assertNotNull(tier.freshOrNull("2"));
  }

  @Test
  void aStaleEntryOrOneBiggerThanTheTierIsNotKept() {
    LocalTier tier = new LocalTier(10, 100, () -> nanos[0]);
    tier.put("stale", found("/s", 10, 1_000, 2_000));
    tier.put("big", found("/b", 1000, 60_000, 0));
    assertEquals(0, tier.size());
  }
}
