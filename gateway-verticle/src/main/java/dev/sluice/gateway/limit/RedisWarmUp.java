package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Real limiter calls before a node takes traffic. {@code SCRIPT LOAD} alone proves Redis answers,
 * but a fresh JVM's first {@code EVALSHA}s still load and interpret every class on the path (the
 * reply parser, the pipelined batch, the decision): tens of ms, enough to miss a 50 ms
 * {@code redis.timeoutMs} in the very first burst, where a fallback answer costs exactness.
 *
 * <p>The calls run the script with a limit of 0 on a key no client has: the script then only
 * reads (trim, count) and adds nothing, so the warm-up leaves no trace in Redis. A few go one by one,
 * then {@link #BURST} for as many clients at once, so both kinds of call (one window, a batch of
 * windows: see {@link ScriptBatcher}) have run.
 */
final class RedisWarmUp {
  static final String ROUTE = "__warm-up__";
  static final int SINGLE = 3;
  static final int BURST = 32;
  private static final RateLimitPolicy NOTHING_ALLOWED = new RateLimitPolicy(0, 1_000);

  private RedisWarmUp() {
  }

  static Future<Void> run(RateLimiter redis) {
    String client = UUID.randomUUID().toString();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < SINGLE; i++) {
      chain = chain.compose(v -> redis.acquire(ROUTE, client, NOTHING_ALLOWED).mapEmpty());
    }
    return chain.compose(v -> {
      List<Future<RateLimitDecision>> burst = new ArrayList<>(BURST);
      for (int i = 0; i < BURST; i++) {
        burst.add(redis.acquire(ROUTE, client + "-" + i, NOTHING_ALLOWED));
      }
      return Future.all(burst).mapEmpty();
    });
  }
}
