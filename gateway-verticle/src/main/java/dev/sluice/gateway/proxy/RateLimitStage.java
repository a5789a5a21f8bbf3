package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.limit.LimiterUnavailableException;
import dev.sluice.gateway.limit.RateLimitDecision;
import dev.sluice.gateway.limit.RateLimiter;
import dev.sluice.gateway.route.Route;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * Counts the request against its client's sliding window for the route. Allowed or not, the
 * answer carries {@code X-RateLimit-*}; a rejected request gets 429 RATE_LIMITED with
 * {@code Retry-After} and never reaches the upstream.
 */
public final class RateLimitStage implements GatewayStage {
  static final CharSequence LIMIT = HttpHeaders.createOptimized("X-RateLimit-Limit");
  static final CharSequence REMAINING = HttpHeaders.createOptimized("X-RateLimit-Remaining");
  static final CharSequence RESET = HttpHeaders.createOptimized("X-RateLimit-Reset");

  private final RateLimiter limiter;

  public RateLimitStage(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    Route route = exchange.route();
    return limiter.acquire(route.name(), exchange.client(), exchange.rateLimitPolicy())
      .transform(decided -> decided.succeeded() ? decided(exchange, decided.result()) : unavailable(decided.cause()));
  }

  private static Future<ProxyReply> decided(Exchange exchange, RateLimitDecision decision) {
    exchange.rateLimit(decision);
    if (!decision.allowed()) {
      return Future.failedFuture(GatewayException.retryAfter(GatewayError.RATE_LIMITED,
        "rate limit of " + decision.limit() + " requests exceeded for route '" + exchange.route().name() + "'",
        decision.retryAfterSeconds()));
    }
    return exchange.proceed();
  }

  private static Future<ProxyReply> unavailable(Throwable cause) {
    if (cause instanceof LimiterUnavailableException) {
      return Future.failedFuture(GatewayException.of(GatewayError.LIMITER_UNAVAILABLE,
        "rate limiter unavailable; try again shortly"));
    }
    return Future.failedFuture(cause);
  }

  /** The {@code X-RateLimit-*} headers of {@code decision}. */
  static void writeHeaders(RateLimitDecision decision, MultiMap headers) {
    headers.set(LIMIT, Integer.toString(decision.limit()));
    headers.set(REMAINING, Integer.toString(Math.max(0, decision.remaining())));
    headers.set(RESET, Long.toString(decision.resetSeconds()));
  }
}
