package dev.sluice.gateway.retry;

import dev.sluice.gateway.upstream.UpstreamOutcome;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

/**
 * Which requests may be sent more than once, and after which outcomes. A method outside the
 * route's {@code methods} (a POST, by default) is sent once, whatever happens, unless the client
 * vouches for it with an {@code Idempotency-Key}: a payment must never be made twice.
 */
public final class RetryRule {
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final RetryOptions retry;

  public RetryRule(RetryOptions retry) {
    this.retry = retry;
  }

  public boolean maySendTwice(HttpMethod method, MultiMap headers) {
    return retry.maxAttempts() > 1 && (retry.methods().contains(method.name()) || headers.contains(IDEMPOTENCY_KEY));
  }

  /** Whether {@code retryOn} names this outcome. Whether the request may be re-sent is decided by {@link #maySendTwice}. */
  public boolean retries(UpstreamOutcome outcome) {
    RetryOn retryOn = retry.retryOn();
    return switch (outcome.kind()) {
      case CONNECT_FAILURE -> retryOn.connect();
      case TIMEOUT -> retryOn.timeout();
      case RESPONSE -> retryOn.statuses().contains(outcome.response().statusCode());
      // More attempts into a pool that is already full only lengthen its queue.
      case REQUEST_ABORTED, BUSY -> false;
    };
  }
}
