package dev.sluice.gateway.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A route's bounded per-node tier in front of Redis: least recently used entries go first once
 * either bound is passed. Shared by the node's event loops, hence synchronized; every operation is
 * a map operation, never I/O. Ages advance on this node's monotonic clock from the age Redis gave
 * when the entry was fetched: one clock per entry, never two nodes' compared.
 */
public final class LocalTier {
  private final int maxEntries;
  private final long maxBytes;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<String, Held> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  private record Held(Found found, long heldSinceNanos, long weight) {
  }

  public LocalTier(int maxEntries, long maxBytes, LongSupplier nanoClock) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.nanoClock = nanoClock;
  }

  /** @return the entry, aged since it came here, if it is here and still fresh */
  public synchronized Found freshOrNull(String digest) {
    Held held = entries.get(digest);
    if (held == null) {
      return null;
    }
    Found aged = held.found().olderBy((nanoClock.getAsLong() - held.heldSinceNanos()) / 1_000_000);
    if (!aged.fresh()) {
      remove(digest);
      return null;
    }
    return aged;
  }

  /** Keeps a fresh entry (a stale one would only be evicted on its next read). */
  public synchronized void put(String digest, Found found) {
    long weight = found.entry().weight();
    if (maxEntries == 0 || !found.fresh() || weight > maxBytes) {
      return;
    }
    remove(digest);
    entries.put(digest, new Held(new Found(found.entry(), found.ageMs(), false), nanoClock.getAsLong(), weight));
    bytes += weight;
    Iterator<Held> eldest = entries.values().iterator();
    while ((entries.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
      bytes -= eldest.next().weight();
      eldest.remove();
    }
  }

  public synchronized void remove(String digest) {
    Held held = entries.remove(digest);
    if (held != null) {
      bytes -= held.weight();
    }
  }

  /** Drops every entry whose path starts with {@code prefix} (null: all). */
  public synchronized void purge(String prefix) {
    Iterator<Map.Entry<String, Held>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Held held = it.next().getValue();
      if (prefix == null || held.found().entry().path().startsWith(prefix)) {
        bytes -= held.weight();
        it.remove();
      }
    }
  }

  boolean sameBounds(CacheOptions options) {
    return maxEntries == options.localMaxEntries() && maxBytes == options.localMaxBytes();
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized int size() {
    return entries.size();
  }
}
