package dev.sluice.gateway.error;

import io.vertx.core.VertxException;

/**
 * A request ends with one of Sluice's own answers. Stages fail their future with it; the JSON
 * body is written in one place ({@code ReplyWriter}). No stack trace: it is a result, not a bug.
 */
public final class GatewayException extends VertxException {
  private final GatewayError error;
  private final long retryAfterSeconds;
  private final String challenge;

  private GatewayException(GatewayError error, String message, long retryAfterSeconds) {
    this(error, message, retryAfterSeconds, null);
  }

  private GatewayException(GatewayError error, String message, long retryAfterSeconds, String challenge) {
    super(message, true);
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
    this.challenge = challenge;
  }

  /** An answer that carries {@code WWW-Authenticate: <challenge>} (null for none). */
  public static GatewayException challenge(GatewayError error, String message, String challenge) {
    return new GatewayException(error, message, -1, challenge);
  }

  /** @return the {@code WWW-Authenticate} value, or null */
  public String challenge() {
    return challenge;
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
