package dev.sluice.gateway.circuit;

import dev.sluice.gateway.config.RoutePolicy;
import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.upstream.UpstreamOutcome;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One route's vertx-circuit-breaker on one verticle instance, with retries spaced by
 * {@link ExponentialRetryPolicy}. A call's attempts stop as soon as the breaker leaves CLOSED, and
 * a half-open breaker lets exactly one probe through.
 */
public final class RouteCircuit {
  private final String route;
  private final RoutePolicy policy;
  private final CircuitBreaker breaker;
  private final RetryRule retryRule;
  private final LongSupplier clock;
  private final Vertx vertx;
  private final RetryPolicy retryPolicy;
  private volatile long openedAtMs;

  public RouteCircuit(Vertx vertx, String route, RoutePolicy policy, LongSupplier clock) {
    this.vertx = vertx;
    this.route = route;
    this.retryPolicy = ExponentialRetryPolicy.of(policy.retry());
    this.policy = policy;
    this.clock = clock;
    this.retryRule = new RetryRule(policy.retry());
    CircuitBreakerOptions options = new CircuitBreakerOptions()
      .setMaxFailures(policy.circuit().failureThreshold())
      .setResetTimeout(policy.circuit().resetTimeoutMs())
      .setMaxRetries(0)
      // The per-attempt timeout is the HTTP request's, so that a timeout is an outcome the retry rules see.
      .setTimeout(-1)
      .setFallbackOnFailure(false);
    this.breaker = CircuitBreaker.create("sluice." + route, vertx, options)
      .failurePolicy(new UpstreamFailurePolicy(policy.circuit().failureStatuses()))
      .openHandler(v -> openedAtMs = clock.getAsLong());
  }

  public String route() {
    return route;
  }

  public RetryRule retryRule() {
    return retryRule;
  }

  public CircuitBreakerState state() {
    return breaker.state();
  }

  /** True while the breaker answers without calling the upstream and no probe is due. */
  public boolean isOpen() {
    return breaker.state() == CircuitBreakerState.OPEN;
  }

  /** Whole seconds until the breaker lets a probe through; at least 1. */
  public long secondsUntilProbe() {
    long remainingMs = openedAtMs + policy.circuit().resetTimeoutMs() - clock.getAsLong();
    return Math.max(1, (remainingMs + 999) / 1000);
  }

  public GatewayException openError() {
    return GatewayException.retryAfter(GatewayError.CIRCUIT_OPEN,
      "circuit for route '" + route + "' is open", secondsUntilProbe());
  }

  /**
   * Runs {@code attempt} through the breaker, and again after the policy's delay while it ends in
   * an outcome the route retries, {@code maySendTwice} allows, attempts remain and the breaker is
   * still CLOSED. Each attempt is one breaker call, so each failed attempt counts toward the
   * threshold.
   *
   * <p>We loop ourselves instead of using the breaker's {@code maxRetries}: its retry loop retries
   * every failed future (it cannot honour {@code retryOn} or the method rule), and it resets the
   * failure count on every retried-then-successful future, so a stream of unretried 500s would
   * never trip the circuit.
   *
   * @return the last outcome the upstream gave; fails with CIRCUIT_OPEN when no attempt was made
   */
  public Future<UpstreamOutcome> call(Supplier<Future<UpstreamOutcome>> attempt, boolean maySendTwice) {
    return attempt(1, attempt, maySendTwice);
  }

  private Future<UpstreamOutcome> attempt(int number, Supplier<Future<UpstreamOutcome>> attempt, boolean maySendTwice) {
    LastOutcome last = new LastOutcome();
    return breaker.<UpstreamOutcome>execute(() -> attempt.get().andThen(ar -> last.outcome = ar.result()))
      // The breaker fails a call its FailurePolicy rejects without passing the value on; the
      // outcome we saw is the answer either way.
      .transform(ar -> {
        if (last.outcome == null) {
          return Future.failedFuture(ar.cause() instanceof OpenCircuitException ? openError() : ar.cause());
        }
        if (!shouldRetry(number, last.outcome, maySendTwice)) {
          return Future.succeededFuture(last.outcome);
        }
        long delay = retryPolicy.delay(new RetryableOutcome(last.outcome), number);
        return vertx.timer(Math.max(1, delay)).compose(t -> attempt(number + 1, attempt, maySendTwice));
      });
  }

  private boolean shouldRetry(int attemptsMade, UpstreamOutcome outcome, boolean maySendTwice) {
    return maySendTwice
      && attemptsMade < policy.retry().maxAttempts()
      && retryRule.retries(outcome)
      && breaker.state() == CircuitBreakerState.CLOSED;
  }

  public void close() {
    breaker.close();
  }

  /** Per call; every attempt of a call runs on the caller's event loop. */
  private static final class LastOutcome {
    UpstreamOutcome outcome;
  }
}
