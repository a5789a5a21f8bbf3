package dev.sluice.gateway.retry;

import dev.sluice.gateway.upstream.UpstreamOutcome;
import io.vertx.core.VertxException;

/**
 * An outcome about to be retried, in the shape {@link io.vertx.circuitbreaker.RetryPolicy#delay}
 * takes, carrying the upstream's {@code Retry-After}.
 */
final class RetryableOutcome extends VertxException implements RetryAfterHint {
  private final UpstreamOutcome outcome;

  RetryableOutcome(UpstreamOutcome outcome) {
    super(outcome.toString(), true);
    this.outcome = outcome;
  }

  @Override
  public long retryAfterMs() {
    return outcome.retryAfterMs();
  }
}
