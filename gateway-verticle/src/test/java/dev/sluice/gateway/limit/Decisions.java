package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/** What the limiter tests ask of a limiter: many acquires at once, and how many it admitted. */
final class Decisions {
  /** A bound on waiting, not a timing under test. */
  private static final long AWAIT_S = 20;

  private Decisions() {
  }

  /** {@code count} acquires of one client, all made before any answer comes (as a busy event loop makes them). */
  static List<Future<RateLimitDecision>> concurrently(RateLimiter limiter, String route, String client,
                                                     RateLimitPolicy policy, int count) {
    return IntStream.range(0, count).mapToObj(i -> limiter.acquire(route, client, policy)).toList();
  }

  static long allowed(List<Future<RateLimitDecision>> decisions) {
    return decisions.stream().filter(decision -> decision.result().allowed()).count();
  }

  static List<Future<RateLimitDecision>> awaitAll(List<Future<RateLimitDecision>> decisions) throws Exception {
    Future.all(decisions).await(AWAIT_S, TimeUnit.SECONDS);
    return decisions;
  }
}
