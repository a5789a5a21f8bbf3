package dev.sluice.mock;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts per key, up to a fixed number of distinct keys. Once full, keys already present keep
 * counting exactly and calls for new keys are only counted in {@link #overflow()}: no count is
 * ever evicted, so a number a test reads is never silently too low.
 */
final class BoundedCounts {
  private final int maxKeys;
  // Insertion order, so the JSON lists keys in the order they were first seen.
  private final Map<String, long[]> counts = new LinkedHashMap<>();
  private long overflow;

  BoundedCounts(int maxKeys) {
    this.maxKeys = maxKeys;
  }

  void increment(String key) {
    long[] count = counts.get(key);
    if (count != null) {
      count[0]++;
    } else if (counts.size() < maxKeys) {
      counts.put(key, new long[] {1});
    } else {
      overflow++;
    }
  }

  long overflow() {
    return overflow;
  }

  void clear() {
    counts.clear();
    overflow = 0;
  }

  JsonObject toJson() {
    Map<String, Object> copy = new LinkedHashMap<>(counts.size() * 2);
    counts.forEach((key, count) -> copy.put(key, count[0]));
    return new JsonObject(copy);
  }
}
