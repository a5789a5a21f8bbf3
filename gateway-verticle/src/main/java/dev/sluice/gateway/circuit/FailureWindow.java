package dev.sluice.gateway.circuit;

import java.util.ArrayDeque;

/**
 * Failures of one route seen by every instance on every node within a rolling window: the
 * route trips when this count reaches {@code failureThreshold}, not threshold × instances × nodes.
 */
final class FailureWindow {
  private final long windowMs;
  private final ArrayDeque<long[]> buckets = new ArrayDeque<>();
  private long count;

  FailureWindow(long windowMs) {
    this.windowMs = windowMs;
  }

  void add(long nowMs, long failures) {
    long[] last = buckets.peekLast();
    if (last != null && last[0] == nowMs) {
      last[1] += failures;
    } else {
      buckets.addLast(new long[] {nowMs, failures});
    }
    count += failures;
  }

  long count(long nowMs) {
    while (!buckets.isEmpty() && buckets.peekFirst()[0] <= nowMs - windowMs) {
      count -= buckets.removeFirst()[1];
    }
    return count;
  }

  /** When the oldest failure still in the window happened; Long.MAX_VALUE when there is none. */
  long oldestMs(long nowMs) {
    count(nowMs);
    return buckets.isEmpty() ? Long.MAX_VALUE : buckets.peekFirst()[0];
  }

  void clear() {
    buckets.clear();
    count = 0;
  }
}
