package dev.sluice.gateway.limit;

/**
 * Redis could not decide and {@code redis.onFailure} is {@code closed}: the gateway answers
 * 503 {@code LIMITER_UNAVAILABLE}. An expected outcome, not a bug, so it carries no stack trace.
 */
public final class LimiterUnavailableException extends RuntimeException {
  public static final String CODE = "LIMITER_UNAVAILABLE";

  public LimiterUnavailableException(Throwable cause) {
    super("rate limiter unavailable: " + (cause == null ? "redis down" : cause.getMessage()), cause, false, false);
  }
}
