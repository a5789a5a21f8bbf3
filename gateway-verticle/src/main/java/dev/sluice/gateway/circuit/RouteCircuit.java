package dev.sluice.gateway.circuit;

import dev.sluice.gateway.config.RoutePolicy;
import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.upstream.UpstreamOutcome;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One route's circuit on one verticle instance: a vertx-circuit-breaker that gates attempts while
 * CLOSED, and the cluster's view of the route. Retrying is not its business (see
 * {@code dev.sluice.gateway.retry.RetryLoop}): it sees each attempt, and says whether more may go.
 *
 * <p>Opening is decided on failures counted cluster-wide ({@link FailureWindow}, fed by this
 * instance and by reports from the others). Half-open is cluster-wide too: when the reset time
 * has passed, the instance that wins {@link ProbeLocks} sends one probe while every other request
 * everywhere keeps answering 503; the probe's result closes or reopens the circuit for all. So the
 * breaker's own reset timer is off, and all state changes happen on this instance's event loop.
 */
public final class RouteCircuit {
  /** The rolling window over which failures add up (the breaker's default). */
  public static final long FAILURE_WINDOW_MS = 10_000;
  private static final Future<Admission> CALL = Future.succeededFuture(Admission.CALL);

  private final Vertx vertx;
  private final String route;
  private final RoutePolicy policy;
  private final LongSupplier clock;
  private final CircuitListener listener;
  private final ProbeLocks probeLocks;
  private final FailureWindow failures = new FailureWindow(FAILURE_WINDOW_MS);

  private CircuitBreaker breaker;
  private long openedAtMs;
  private String lastReason = "";
  /** Why the breaker is about to open; its open handler has no argument to carry it. */
  private String openReason;
  /** Some instance in the cluster is probing (maybe this one). */
  private boolean halfOpen;
  /** This instance is acquiring the probe lock or has its probe in flight. */
  private boolean probing;
  private Runnable releaseProbe = () -> { };
  /** Set while applying a state another instance decided, so it is not published again. */
  private boolean applyingRemote;

  public RouteCircuit(Vertx vertx, String route, RoutePolicy policy, LongSupplier clock, CircuitListener listener,
                      ProbeLocks probeLocks) {
    this.vertx = vertx;
    this.route = route;
    this.policy = policy;
    this.clock = clock;
    this.listener = listener;
    this.probeLocks = probeLocks;
    this.breaker = newBreaker();
  }

  private CircuitBreaker newBreaker() {
    CircuitBreakerOptions options = new CircuitBreakerOptions()
      .setMaxFailures(policy.circuit().failureThreshold())
      .setFailuresRollingWindow(FAILURE_WINDOW_MS)
      // Half-open is decided cluster-wide (see the class comment), never by a local timer.
      .setResetTimeout(-1)
      // The per-attempt timeout is the HTTP request's, so that a timeout is an outcome the retry rules see.
      .setTimeout(-1)
      .setMaxRetries(0)
      .setFallbackOnFailure(false)
      // No per-call statistics and no periodic event-bus notifications: Sluice has its own
      // metrics, and the breaker's cost per call is on every request's path.
      .setNotificationAddress(null);
    return CircuitBreaker.create("sluice." + route, vertx, options)
      .failurePolicy(new UpstreamFailurePolicy(policy.circuit().failureStatuses()))
      .openHandler(v -> opened());
  }

  public String route() {
    return route;
  }

  public RoutePolicy policy() {
    return policy;
  }

  public CircuitBreakerState state() {
    if (breaker.state() == CircuitBreakerState.CLOSED) {
      return CircuitBreakerState.CLOSED;
    }
    return halfOpen || probing ? CircuitBreakerState.HALF_OPEN : CircuitBreakerState.OPEN;
  }

  /** Failures of this route in the rolling window, on all instances this one has heard from. */
  public long failureCount() {
    return failures.count(clock.getAsLong());
  }

  /** @return when the circuit last opened (epoch ms), 0 if never */
  public long openedAtMs() {
    return openedAtMs;
  }

  public String lastReason() {
    return lastReason;
  }

  /** Whole seconds until a probe may go; at least 1. */
  public long secondsUntilProbe() {
    long remainingMs = probeAtMs() - clock.getAsLong();
    return Math.max(1, (remainingMs + 999) / 1000);
  }

  private long probeAtMs() {
    return openedAtMs + policy.circuit().resetTimeoutMs();
  }

  public GatewayException openError() {
    return GatewayException.retryAfter(GatewayError.CIRCUIT_OPEN,
      "circuit for route '" + route + "' is open", secondsUntilProbe());
  }

  /**
   * Whether a request may pass now: CALL while closed; PROBE for the one request in the cluster
   * that tests a recovering upstream; otherwise fails with CIRCUIT_OPEN.
   */
  public Future<Admission> admit() {
    if (breaker.state() == CircuitBreakerState.CLOSED) {
      return CALL;
    }
    if (probing || clock.getAsLong() < probeAtMs()) {
      return Future.failedFuture(openError());
    }
    probing = true;
    return probeLocks.tryAcquire(route).transform(ar -> {
      if (ar.failed()) {
        probing = false;
        return Future.failedFuture(openError());
      }
      if (breaker.state() == CircuitBreakerState.CLOSED || clock.getAsLong() < probeAtMs()) {
        // Another instance's probe decided while we waited for the lock.
        probing = false;
        ar.result().run();
        return admit();
      }
      releaseProbe = ar.result();
      halfOpen = true;
      announce(CircuitBreakerState.HALF_OPEN, "reset timeout elapsed; probing");
      return Future.succeededFuture(Admission.PROBE);
    });
  }

  /**
   * Sends one attempt as {@code admission} allows: a CALL through the breaker, the PROBE on its
   * own, its outcome closing or reopening the circuit for the cluster. A failed attempt counts
   * toward the threshold.
   *
   * @return the outcome the upstream gave; fails with CIRCUIT_OPEN when no attempt was made
   */
  public Future<UpstreamOutcome> attempt(Admission admission, Supplier<Future<UpstreamOutcome>> send) {
    return admission == Admission.PROBE ? probe(send) : call(send);
  }

  /** Whether another attempt may follow this one (a retry): only while the circuit is CLOSED. */
  public boolean isClosed() {
    return breaker.state() == CircuitBreakerState.CLOSED;
  }

  /** An attempt whose head succeeded failed later (the upstream died mid-body): a failure all the same. */
  public void failedAfterHead() {
    recordLocalFailure();
  }

  private Future<UpstreamOutcome> call(Supplier<Future<UpstreamOutcome>> send) {
    LastOutcome last = new LastOutcome();
    return breaker.<UpstreamOutcome>execute(() -> send.get().andThen(ar -> last.outcome = ar.result()))
      // The breaker fails a call its FailurePolicy rejects without passing the value on; the
      // outcome we saw is the answer either way.
      .transform(ar -> {
        if (last.outcome == null) {
          return Future.failedFuture(ar.cause() instanceof OpenCircuitException ? openError() : ar.cause());
        }
        if (last.outcome.isFailure(policy.circuit().failureStatuses())) {
          recordLocalFailure();
        }
        return Future.succeededFuture(last.outcome);
      });
  }

  private Future<UpstreamOutcome> probe(Supplier<Future<UpstreamOutcome>> send) {
    return send.get().andThen(ar -> {
      UpstreamOutcome outcome = ar.result();
      if (ar.failed() || outcome.isFailure(policy.circuit().failureStatuses())) {
        reopen("probe failed: " + (ar.failed() ? ar.cause().getMessage() : outcome));
      } else {
        closeHere("probe succeeded");
      }
      probing = false;
      Runnable release = releaseProbe;
      releaseProbe = () -> { };
      release.run();
    });
  }

  private void recordLocalFailure() {
    listener.failed(this);
    countFailures(1);
  }

  /** Failures another instance reported for this route. */
  public void countFailures(long n) {
    failures.add(clock.getAsLong(), n);
    if (breaker.state() == CircuitBreakerState.CLOSED
        && failures.count(clock.getAsLong()) >= policy.circuit().failureThreshold()) {
      openReason = "failure threshold reached";
      breaker.open();
    }
  }

  /** Opens the circuit here and for everyone (an operator's order, or a failed probe). */
  public void reopen(String reason) {
    openReason = reason;
    breaker.open();
  }

  /** Closes the circuit here and for everyone. */
  public void closeHere(String reason) {
    resetToClosed();
    announce(CircuitBreakerState.CLOSED, reason);
  }

  /** The breaker opened here: by its own count, our cluster-wide count, or a probe's failure. */
  private void opened() {
    if (applyingRemote) {
      return;
    }
    openedAtMs = clock.getAsLong();
    halfOpen = false;
    String reason = openReason == null ? "failure threshold reached" : openReason;
    openReason = null;
    announce(CircuitBreakerState.OPEN, reason);
  }

  private void announce(CircuitBreakerState to, String reason) {
    lastReason = reason;
    listener.transitioned(this, to, reason);
  }

  /**
   * Brings this instance to a state another instance decided, without announcing it again.
   *
   * @param openedAtMs when the deciding instance opened the circuit (for OPEN)
   */
  public void apply(CircuitBreakerState state, long openedAtMs, String reason) {
    switch (state) {
      case OPEN -> {
        if (breaker.state() == CircuitBreakerState.CLOSED) {
          applyingRemote = true;
          try {
            breaker.open();
          } finally {
            applyingRemote = false;
          }
          this.openedAtMs = openedAtMs;
        } else {
          this.openedAtMs = Math.max(this.openedAtMs, openedAtMs);
        }
        halfOpen = false;
      }
      case HALF_OPEN -> halfOpen = breaker.state() != CircuitBreakerState.CLOSED;
      case CLOSED -> resetToClosed();
    }
    lastReason = reason;
  }

  /**
   * vertx-circuit-breaker has no public way from OPEN to CLOSED but through its own half-open
   * timer, which we do not use; a new breaker is the closed circuit.
   */
  private void resetToClosed() {
    failures.clear();
    halfOpen = false;
    if (breaker.state() != CircuitBreakerState.CLOSED) {
      breaker.close();
      breaker = newBreaker();
    }
  }

  public void close() {
    breaker.close();
    releaseProbe.run();
  }

  /** Per call; every attempt of a call runs on the caller's event loop. */
  private static final class LastOutcome {
    UpstreamOutcome outcome;
  }
}
