package dev.sluice.gateway.upstream;

import dev.sluice.gateway.config.RetryOn;

import java.net.ConnectException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * What one attempt to reach the upstream came back with: an HTTP response (of any status), a
 * failure to connect, or a timeout. Failures are values here, not exceptions, so the breaker's
 * {@code FailurePolicy} and the retry rules can both look at the same thing.
 */
public final class UpstreamOutcome {
  public enum Kind { RESPONSE, CONNECT_FAILURE, TIMEOUT }

  private static final long NO_RETRY_AFTER = -1;

  private final Kind kind;
  private final UpstreamResponse response;
  private final Throwable cause;

  private UpstreamOutcome(Kind kind, UpstreamResponse response, Throwable cause) {
    this.kind = kind;
    this.response = response;
    this.cause = cause;
  }

  public static UpstreamOutcome response(UpstreamResponse response) {
    return new UpstreamOutcome(Kind.RESPONSE, response, null);
  }

  /**
   * A request that got no response. Timeouts (idle or waiting for a pooled connection) are
   * {@link TimeoutException}s; everything else (refused, reset, closed mid-response) means the
   * upstream could not be used.
   */
  public static UpstreamOutcome failure(Throwable cause) {
    Kind kind = cause instanceof TimeoutException && !(cause instanceof ConnectException)
      ? Kind.TIMEOUT : Kind.CONNECT_FAILURE;
    return new UpstreamOutcome(kind, null, cause);
  }

  public Kind kind() {
    return kind;
  }

  /** @return the upstream's response, or null when there was none */
  public UpstreamResponse response() {
    return response;
  }

  public Throwable cause() {
    return cause;
  }

  /** A failure for the circuit: no response, or a status the route counts as failing. */
  public boolean isFailure(Set<Integer> failureStatuses) {
    return kind != Kind.RESPONSE || failureStatuses.contains(response.statusCode());
  }

  /** Whether {@code retryOn} names this outcome. Whether the request may be re-sent is decided elsewhere. */
  public boolean isNamedIn(RetryOn retryOn) {
    return switch (kind) {
      case CONNECT_FAILURE -> retryOn.connect();
      case TIMEOUT -> retryOn.timeout();
      case RESPONSE -> retryOn.statuses().contains(response.statusCode());
    };
  }

  /**
   * The upstream's {@code Retry-After} on a 503 or 429, in ms; -1 when absent or not in
   * delta-seconds form (an HTTP-date would need the upstream's clock, which we do not trust).
   */
  public long retryAfterMs() {
    if (kind != Kind.RESPONSE) {
      return NO_RETRY_AFTER;
    }
    int status = response.statusCode();
    String value = response.getHeader("Retry-After");
    if ((status != 503 && status != 429) || value == null) {
      return NO_RETRY_AFTER;
    }
    try {
      long seconds = Long.parseLong(value.trim());
      return seconds < 0 ? NO_RETRY_AFTER : Math.multiplyExact(seconds, 1000L);
    } catch (NumberFormatException | ArithmeticException e) {
      return NO_RETRY_AFTER;
    }
  }

  @Override
  public String toString() {
    return kind == Kind.RESPONSE ? "HTTP " + response.statusCode() : kind + ": " + cause.getMessage();
  }
}
