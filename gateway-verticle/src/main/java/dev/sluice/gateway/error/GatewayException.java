package dev.sluice.gateway.error;

import io.vertx.core.VertxException;

/**
 * A request ends with one of Sluice's own answers. Stages fail their future with it; the JSON
 * body is written in one place ({@code ReplyWriter}). No stack trace: it is a result, not a bug.
 */
public final class GatewayException extends VertxException {
  private final GatewayError error;
  private final long retryAfterSeconds;

  private GatewayException(GatewayError error, String message, long retryAfterSeconds) {
    super(message, true);
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static GatewayException of(GatewayError error, String message) {
    return new GatewayException(error, message, -1);
  }

  /** An answer that carries {@code Retry-After}: whole seconds, never 0. */
  public static GatewayException retryAfter(GatewayError error, String message, long seconds) {
    return new GatewayException(error, message, Math.max(1, seconds));
  }

  public GatewayError error() {
    return error;
  }

  /** @return seconds for {@code Retry-After}, or -1 when the answer has none */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
