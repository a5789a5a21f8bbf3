package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sluice.localredis.RedisServerProcess;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The limiters and Redis inspectors one test opened, all closed after it (register it as an extension). */
final class OpenedClients implements AfterEachCallback {
  private static final long CLOSE_S = 20;

  private final List<RateLimiter> limiters = new ArrayList<>();
  private final List<RedisInspector> inspectors = new ArrayList<>();

  <L extends RateLimiter> L limiter(L limiter) {
    limiters.add(limiter);
    return limiter;
  }

  /** As GatewayVerticle builds it: warmed up before use, which must have found Redis. */
  FailoverRateLimiter warmed(FailoverRateLimiter limiter) throws Exception {
    limiter(limiter).preload().await(CLOSE_S, TimeUnit.SECONDS);
    assertFalse(limiter.usingFallback(), "preload (SCRIPT LOAD, warm-up calls) reached Redis");
    return limiter;
  }

  RedisInspector inspector(Vertx vertx, RedisServerProcess server) {
    RedisInspector inspector = new RedisInspector(vertx, server.url());
    inspectors.add(inspector);
    return inspector;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (RateLimiter limiter : limiters) {
      limiter.close().await(CLOSE_S, TimeUnit.SECONDS);
    }
    for (RedisInspector inspector : inspectors) {
      inspector.close().await(CLOSE_S, TimeUnit.SECONDS);
    }
    limiters.clear();
    inspectors.clear();
  }
}
