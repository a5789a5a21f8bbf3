package dev.sluice.gateway.auth;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;

/**
 * Credentials a verticle instance verified lately, by digest: at most {@code maxEntries} (the least recently
 * used go first), each until its own deadline on a monotonic clock. One per instance, used on its event
 * loop only, so nothing here locks.
 */
final class VerifiedCache<V> {
  private record Entry<V>(V value, long untilNanos) {
  }

  private final int maxEntries;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<String, Entry<V>> entries;

  VerifiedCache(int maxEntries, LongSupplier nanoClock) {
    this.maxEntries = maxEntries;
    this.nanoClock = nanoClock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
        return size() > VerifiedCache.this.maxEntries;
      }
    };
  }

  /** The value verified for {@code digest}, or null when there is none or it ran out. */
  V get(String digest) {
    Entry<V> entry = entries.get(digest);
    if (entry == null) {
      return null;
    }
    if (nanoClock.getAsLong() - entry.untilNanos() >= 0) {
      entries.remove(digest);
      return null;
    }
    return entry.value();
  }

  void put(String digest, V value, long forNanos) {
    if (forNanos > 0) {
      entries.put(digest, new Entry<>(value, nanoClock.getAsLong() + forNanos));
    }
  }

  void remove(String digest) {
    entries.remove(digest);
  }

  /** Drops every entry {@code which} picks (by digest and value). */
  void removeIf(BiPredicate<String, V> which) {
    for (Iterator<Map.Entry<String, Entry<V>>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Entry<V>> e = it.next();
      if (which.test(e.getKey(), e.getValue().value())) {
        it.remove();
      }
    }
  }

  int size() {
    return entries.size();
  }
}
