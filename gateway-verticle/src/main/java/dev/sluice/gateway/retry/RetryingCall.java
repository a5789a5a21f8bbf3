package dev.sluice.gateway.retry;

import dev.sluice.gateway.circuit.Admission;
import dev.sluice.gateway.circuit.RouteCircuit;
import dev.sluice.gateway.upstream.RequestBody;
import dev.sluice.gateway.upstream.UpstreamOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The attempts of one client request. Each goes through the route's circuit; another follows,
 * after the plan's delay, while the outcome is one the route retries, the request may be sent
 * twice, attempts remain, the circuit is still CLOSED and the body can be sent again whole.
 *
 * <p>A retry is decided on the upstream's status line and headers alone: the body of an answer
 * about to be retried is discarded, never relayed, so once a byte has gone to the client the
 * answer is final. A body that outgrew the replay buffer has been consumed by its first attempt;
 * its request is not retried (Envoy's rule), and that is counted ({@link #BODY_STREAMED}).
 *
 * <p>We loop ourselves instead of using the breaker's {@code maxRetries}: its retry loop retries
 * every failed future (it cannot honour {@code retryOn} or the method rule), and it resets the
 * failure count on every retried-then-successful future, so a stream of unretried 500s would
 * never trip the circuit.
 */
public final class RetryingCall {
  /** Why a wanted retry was not made: the body streamed upstream and is gone. */
  public static final String BODY_STREAMED = "body_streamed";

  private final Vertx vertx;
  private final RetryPlan plan;
  private final RouteCircuit circuit;
  private final Admission admission;
  private final boolean maySendTwice;
  private final RequestBody body;
  private final Supplier<Future<UpstreamOutcome>> send;
  private BooleanSupplier mayContinue = () -> true;
  private String skipped;

  /**
   * @param maySendTwice what {@link RetryRule#maySendTwice} says of the request's method and headers
   * @param send         sends one attempt; its future never fails
   */
  public RetryingCall(Vertx vertx, RetryPlan plan, RouteCircuit circuit, Admission admission, boolean maySendTwice,
                      RequestBody body, Supplier<Future<UpstreamOutcome>> send) {
    this.vertx = vertx;
    this.plan = plan;
    this.circuit = circuit;
    this.admission = admission;
    this.maySendTwice = maySendTwice;
    this.body = body;
    this.send = send;
  }

  /** Retries only while {@code condition} holds too (e.g. a target is left to retry on). */
  public RetryingCall retryingWhile(BooleanSupplier condition) {
    this.mayContinue = condition;
    return this;
  }

  /** @return the last outcome; fails with CIRCUIT_OPEN when the circuit let no attempt go */
  public Future<UpstreamOutcome> run() {
    return attempt(1);
  }

  /** @return why a retry the policy wanted was not made, or null */
  public String skipped() {
    return skipped;
  }

  private Future<UpstreamOutcome> attempt(int number) {
    return circuit.attempt(admission, send).compose(outcome -> {
      if (!wantsRetry(number, outcome)) {
        return Future.succeededFuture(outcome);
      }
      if (!body.replayable()) {
        skipped = BODY_STREAMED;
        return Future.succeededFuture(outcome);
      }
      if (outcome.response() != null) {
        outcome.response().discard();
      }
      long delay = plan.delays().delay(new RetryableOutcome(outcome), number);
      return vertx.timer(Math.max(1, delay)).compose(t -> attempt(number + 1));
    });
  }

  private boolean wantsRetry(int attemptsMade, UpstreamOutcome outcome) {
    return admission == Admission.CALL
      && maySendTwice
      && attemptsMade < plan.options().maxAttempts()
      && plan.rule().retries(outcome)
      && circuit.isClosed()
      && mayContinue.getAsBoolean();
  }
}
