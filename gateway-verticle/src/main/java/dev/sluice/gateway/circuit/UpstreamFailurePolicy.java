package dev.sluice.gateway.circuit;

import dev.sluice.gateway.upstream.UpstreamOutcome;
import io.vertx.circuitbreaker.FailurePolicy;
import io.vertx.core.Future;

import java.util.Set;

/** What the breaker counts as a failure: no response (connect error, timeout) or a status in {@code failureStatuses}. */
final class UpstreamFailurePolicy implements FailurePolicy<UpstreamOutcome> {
  private final Set<Integer> failureStatuses;

  UpstreamFailurePolicy(Set<Integer> failureStatuses) {
    this.failureStatuses = failureStatuses;
  }

  @Override
  public boolean test(Future<UpstreamOutcome> attempt) {
    return attempt.failed() || attempt.result().isFailure(failureStatuses);
  }
}
