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
 * One route's circuit on one verticle instance: the cluster's view of the route
 * ({@link CircuitStateMachine}, which decides) and this instance's vertx-circuit-breaker, which
 * follows it and gates calls while CLOSED. Retrying is not its business (see
 * {@code dev.sluice.gateway.retry.RetryingCall}): it sees each attempt, and says whether more may go.
 *
 * <p>Opening is decided on failures counted cluster-wide ({@link FailureWindow}, fed by this
 * instance and by reports from the others) as well as by the breaker's own count. Half-open is
 * cluster-wide: when the probe is due, the instance that wins {@link ProbeLocks} sends one probe
 * while every other request everywhere keeps answering 503; the probe's result closes or reopens
 * the circuit for all. So the breaker's own reset timer is off. All of it runs on this instance's
 * event loop.
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
  private final String node;
  private final CallWindow window = new CallWindow(FAILURE_WINDOW_MS);
  private final CircuitStateMachine machine;

  private CircuitBreaker breaker;
  /** This instance is acquiring the probe lock or has its probe in flight. */
  private boolean probing;
  private Runnable releaseProbe = () -> { };

  /** @param clock monotonic milliseconds (not the time of day: see {@link CircuitStateMachine}) */
  /** @param node this instance's node: its failures alone never open the route beyond it without a quorum */
  public RouteCircuit(Vertx vertx, String node, String route, RoutePolicy policy, LongSupplier clock,
                      CircuitListener listener, ProbeLocks probeLocks) {
    this.vertx = vertx;
    this.node = node;
    this.route = route;
    this.policy = policy;
    this.clock = clock;
    this.listener = listener;
    this.probeLocks = probeLocks;
    this.machine = new CircuitStateMachine(policy.circuit().resetTimeoutMs(), clock, new CircuitStateMachine.Listener() {
      @Override
      public void changed(CircuitState to) {
        breakerFollows(to);
      }

      @Override
      public void decided(CircuitState to) {
        listener.transitioned(RouteCircuit.this, to);
      }
    });
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
    CircuitBreaker created = CircuitBreaker.create("sluice." + route, vertx, options)
      .failurePolicy(new UpstreamFailurePolicy(policy.circuit().failureStatuses()));
    // The breaker counted enough failures of its own; the quorum rule decides how far that reaches
    // (this node at least). It also "opens" when it follows the machine; then decide() does nothing.
    return created.openHandler(v -> decide());
  }

  /**
   * vertx-circuit-breaker has no public way from OPEN to CLOSED but through its own half-open
   * timer, which we do not use; a new breaker is the closed circuit.
   */
  private void breakerFollows(CircuitState to) {
    if (to.state() == CircuitBreakerState.CLOSED) {
      window.clearFailures();
      if (breaker.state() != CircuitBreakerState.CLOSED) {
        breaker.close();
        breaker = newBreaker();
      }
    } else if (breaker.state() == CircuitBreakerState.CLOSED) {
      breaker.open();
    }
  }

  public String route() {
    return route;
  }

  public RoutePolicy policy() {
    return policy;
  }

  /** The cluster's view as this instance holds it (version, scope, reason). */
  public CircuitState view() {
    return machine.state();
  }

  CircuitStateMachine machine() {
    return machine;
  }

  public CircuitBreakerState state() {
    CircuitBreakerState state = machine.state().state();
    return state == CircuitBreakerState.OPEN && probing ? CircuitBreakerState.HALF_OPEN : state;
  }

  /** Failures of this route in the rolling window, on all instances this one has heard from. */
  public long failureCount() {
    return window.failures(clock.getAsLong());
  }

  /** Nodes that called this route in the rolling window, as far as this instance has heard. */
  public int callers() {
    return window.callers(clock.getAsLong());
  }

  public long msUntilProbe() {
    return machine.msUntilProbe();
  }

  /** Whole seconds until a probe may go; at least 1. */
  public long secondsUntilProbe() {
    return Math.max(1, (machine.msUntilProbe() + 999) / 1000);
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
    if (isClosed()) {
      return CALL;
    }
    if (probing || !machine.mayTryProbe()) {
      return Future.failedFuture(openError());
    }
    probing = true;
    return probeLocks.tryAcquire(route).transform(ar -> {
      if (ar.failed()) {
        probing = false;
        return Future.failedFuture(openError());
      }
      // The lock's holder read the cluster's last word before handing it over: another
      // instance's probe may have decided while we waited.
      if (!machine.startProbe()) {
        probing = false;
        ar.result().run();
        return isClosed() ? CALL : Future.failedFuture(openError());
      }
      releaseProbe = ar.result();
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
    return machine.state().state() == CircuitBreakerState.CLOSED;
  }

  /** An attempt whose head succeeded failed later (the upstream died mid-body): a failure all the same. */
  public void failedAfterHead() {
    recordLocalFailure();
  }

  private Future<UpstreamOutcome> call(Supplier<Future<UpstreamOutcome>> send) {
    window.called(node, clock.getAsLong());
    listener.called(this);
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
        machine.probeFailed("probe failed: " + (ar.failed() ? ar.cause().getMessage() : outcome));
      } else {
        machine.probeSucceeded();
      }
      probing = false;
      Runnable release = releaseProbe;
      releaseProbe = () -> { };
      release.run();
    });
  }

  private void recordLocalFailure() {
    listener.failed(this);
    window.failed(node, clock.getAsLong(), 1);
    decide();
  }

  /** Calls and failures another instance reported for this route. */
  public void heard(String fromNode, long calls, long failed) {
    long now = clock.getAsLong();
    if (failed > 0) {
      window.failed(fromNode, now, failed);
    } else if (calls > 0) {
      window.called(fromNode, now);
    }
    decide();
  }

  /**
   * The quorum rule. When the failures in the window reach the threshold: if they come from at
   * least {@code quorum} of the nodes that called the route, the route opens cluster-wide; if
   * not, and this node alone reached the threshold, it opens on this node only (its own network,
   * config or DNS may be at fault) and probes and closes by itself.
   */
  private void decide() {
    long now = clock.getAsLong();
    int threshold = policy.circuit().failureThreshold();
    if (!isClosed() || window.failures(now) < threshold) {
      return;
    }
    int failing = window.failingNodes(now).size();
    int callers = Math.max(failing, window.callers(now));
    int required = policy.circuit().quorum().required(callers);
    if (failing >= required) {
      machine.trip(CircuitScope.CLUSTER, "failure threshold reached on " + failing + " of " + callers + " nodes");
    } else if (window.failures(node, now) >= threshold) {
      machine.trip(CircuitScope.NODE, "failure threshold reached on this node only (" + failing + " of " + callers
        + " nodes failing, quorum " + required + ")");
    }
  }

  /**
   * Takes a transition another instance decided, or the cluster map's last word.
   *
   * @return whether it was news (a higher version)
   */
  public boolean follow(CircuitEvent event) {
    return machine.follow(event.state(), event.scope(), event.version(), event.probeInMs(), event.reason());
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
