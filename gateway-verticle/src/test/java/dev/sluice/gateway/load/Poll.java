package dev.sluice.gateway.load;

import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Bounded polling for the load tests. */
final class Poll {
  private static final long BOUND_MS = 20_000;
  private static final long POLL_MS = 50;

  private Poll() {
  }

  /** Polls {@code check} until it holds, for at most {@link #BOUND_MS}: a bound, not a timing. */
  static void eventually(GatewayUnderTest gateway, Supplier<Future<Boolean>> check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
    while (System.nanoTime() < deadline) {
      if (check.get().recover(e -> Future.succeededFuture(false)).await(BOUND_MS, TimeUnit.MILLISECONDS)) {
        return;
      }
      gateway.vertx().timer(POLL_MS).await(BOUND_MS, TimeUnit.MILLISECONDS);
    }
    fail("did not hold within " + BOUND_MS + " ms");
  }
}
