package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.limit.LimiterUnavailableException;
import dev.sluice.gateway.limit.RateLimitDecision;
import dev.sluice.gateway.limit.RateLimiter;
import dev.sluice.gateway.route.Route;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * Counts the request against its client's sliding window for the route. Allowed or not, the
 * answer carries {@code X-RateLimit-*}; a rejected request gets 429 RATE_LIMITED with
 * {@code Retry-After} and never reaches the upstream.
 */
public final class RateLimitStage implements GatewayStage {
  static final String LIMIT = "X-RateLimit-Limit";
  static final String REMAINING = "X-RateLimit-Remaining";
  static final String RESET = "X-RateLimit-Reset";

  private final RateLimiter limiter;

  public RateLimitStage(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    Route route = exchange.route();
    return limiter.acquire(route.name(), exchange.client(), route.policy().rateLimit())
      .recover(RateLimitStage::unavailable)
      .compose(decision -> {
        putHeaders(exchange.replyHeaders(), decision);
        if (!decision.allowed()) {
          return Future.failedFuture(GatewayException.retryAfter(GatewayError.RATE_LIMITED,
            "rate limit of " + decision.limit() + " requests exceeded for route '" + route.name() + "'",
            decision.retryAfterSeconds()));
        }
        return exchange.proceed();
      });
  }

  private static Future<RateLimitDecision> unavailable(Throwable cause) {
    if (cause instanceof LimiterUnavailableException) {
      return Future.failedFuture(GatewayException.of(GatewayError.LIMITER_UNAVAILABLE,
        "rate limiter unavailable; try again shortly"));
    }
    return Future.failedFuture(cause);
  }

  private static void putHeaders(MultiMap headers, RateLimitDecision decision) {
    headers.set(LIMIT, Integer.toString(decision.limit()));
    headers.set(REMAINING, Integer.toString(Math.max(0, decision.remaining())));
    headers.set(RESET, Long.toString(decision.resetSeconds()));
  }
}
