package dev.sluice.gateway.upstream;

import java.net.ConnectException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * What one attempt to reach the upstream came back with: an HTTP response head (of any status),
 * a failure to connect, a timeout, an upload the client itself cut short, or no connection free
 * in the gateway's own pool in time ({@link Kind#BUSY}). Failures are values here, not exceptions,
 * so the breaker's {@code FailurePolicy}, the outlier rule and the retry rules all look at the
 * same thing.
 */
public final class UpstreamOutcome {
  /**
   * {@code BUSY}: the request waited in this gateway for a pooled connection to the target longer
   * than {@code http.poolWaitMs} (or the wait queue was full) and was never sent. The gateway's own
   * congestion, not the upstream's behaviour.
   */
  public enum Kind { RESPONSE, CONNECT_FAILURE, TIMEOUT, REQUEST_ABORTED, BUSY }

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
    Kind kind;
    if (cause instanceof RequestAbortedException) {
      kind = Kind.REQUEST_ABORTED;
    } else if (cause instanceof TimeoutException && !(cause instanceof ConnectException)) {
      kind = Kind.TIMEOUT;
    } else {
      kind = Kind.CONNECT_FAILURE;
    }
    return new UpstreamOutcome(kind, null, cause);
  }

  /** The attempt never left the gateway: no pooled connection to its target came free in time. */
  public static UpstreamOutcome busy(Throwable cause) {
    return new UpstreamOutcome(Kind.BUSY, null, cause);
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

  /**
   * A failure for the circuit and the outlier rule: no response, or a status the route counts as
   * failing. An upload the client cut short says nothing about the upstream, and neither does a
   * request that queued in this gateway and was never sent ({@link Kind#BUSY}).
   */
  public boolean isFailure(Set<Integer> failureStatuses) {
    return switch (kind) {
      case RESPONSE -> failureStatuses.contains(response.statusCode());
      case CONNECT_FAILURE, TIMEOUT -> true;
      case REQUEST_ABORTED, BUSY -> false;
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
