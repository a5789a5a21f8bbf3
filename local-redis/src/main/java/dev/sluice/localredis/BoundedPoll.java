package dev.sluice.localredis;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits, blocking, until a condition about servers holds: polled every {@value #POLL_MS} ms, given
 * up after a bound. A condition that throws (a server not answering yet) counts as not yet true.
 * For setup code on a test or main thread, never an event loop.
 */
final class BoundedPoll {
  private static final long POLL_MS = 50;

  private BoundedPoll() {
  }

  /** @throws IllegalStateException naming {@code what} and the last failure, once the bound has passed */
  static void until(long boundMs, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMs);
    RuntimeException lastFailure = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        lastFailure = notYet;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + ": not true within " + boundMs + " ms", lastFailure);
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
