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
 * One route's circuit as one verticle instance uses it: the node's view of the route
 * ({@link NodeCircuit}, shared by every instance of the node, which decides) and this instance's
 * vertx-circuit-breaker, which follows it and gates calls while CLOSED. Retrying is not its
 * business (see {@code dev.sluice.gateway.retry.RetryingCall}): it sees each attempt, and says
 * whether more may go.
 *
 * <p>Opening is decided on failures counted on this node at once and on other nodes from their
 * reports, by the quorum rule ({@link NodeCircuit}). Half-open is cluster-wide for a cluster-scope
 * circuit: when the probe is due, the instance that wins {@link ProbeLocks} sends one probe while
 * every other request everywhere keeps answering 503; the probe's result closes or reopens the
 * circuit for all. A node-scope circuit probes for its node. So the breaker's own reset timer is off.
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
  private final NodeCircuit shared;

  private CircuitBreaker breaker;
  /** The node's state this instance's breaker last followed. */
  private CircuitState followed = CircuitState.INITIAL;
  /** This instance is acquiring the probe lock or has its probe in flight. */
  private boolean probing;
  private Runnable releaseProbe = () -> { };
  private long recheckTimer = -1;

  /**
   * A circuit of a node of its own (tests, and a node with one instance).
   *
   * @param clock monotonic milliseconds (not the time of day: see {@link CircuitStateMachine})
   * @param node  this instance's node: its failures alone never open the route beyond it without a quorum
   */
  public RouteCircuit(Vertx vertx, String node, String route, RoutePolicy policy, LongSupplier clock,
                      CircuitListener listener, ProbeLocks probeLocks) {
    this(vertx, new NodeCircuit(node, route, policy, clock, () -> 1), clock, listener, probeLocks);
  }

  RouteCircuit(Vertx vertx, NodeCircuit shared, LongSupplier clock, CircuitListener listener, ProbeLocks probeLocks) {
    this.vertx = vertx;
    this.shared = shared;
    this.route = shared.route();
    this.policy = shared.policy();
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
    // The node's window reaches the threshold no later than this breaker's own count (it holds
    // every instance's failures), so the breaker never decides: it gates, following the node.
    return CircuitBreaker.create("sluice." + route, vertx, options)
      .failurePolicy(new UpstreamFailurePolicy(policy.circuit().failureStatuses()));
  }

  /**
   * Brings this instance's breaker to the node's state, on this instance's event loop, before it
   * gates a call. vertx-circuit-breaker has no public way from OPEN to CLOSED but through its own
   * half-open timer, which we do not use; a new breaker is the closed circuit.
   */
  private void breakerFollows() {
    CircuitState to = shared.state();
    if (to == followed) {
      return;
    }
    followed = to;
    if (to.state() == CircuitBreakerState.CLOSED) {
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

  /** The node's view of the route (version, scope, reason). */
  public CircuitState view() {
    return shared.state();
  }

  public CircuitBreakerState state() {
    CircuitBreakerState state = shared.state().state();
    return state == CircuitBreakerState.OPEN && probing ? CircuitBreakerState.HALF_OPEN : state;
  }

  /** Failures of this route in the rolling window, on this node and on the nodes it has heard from. */
  public long failureCount() {
    return shared.failureCount(clock.getAsLong());
  }

  /** Nodes that called this route in the rolling window, as far as this node has heard. */
  public int callers() {
    return shared.callers(clock.getAsLong());
  }

  public long msUntilProbe() {
    return shared.msUntilProbe();
  }

  /** Whole seconds until a probe may go; at least 1. */
  public long secondsUntilProbe() {
    return Math.max(1, (shared.msUntilProbe() + 999) / 1000);
  }

  public GatewayException openError() {
    return GatewayException.retryAfter(GatewayError.CIRCUIT_OPEN,
      "circuit for route '" + route + "' is open", secondsUntilProbe());
  }

  /**
   * Whether a request may pass now: CALL while closed; PROBE for the one request in the cluster
   * (or, at node scope, on the node) that tests a recovering upstream; otherwise fails with CIRCUIT_OPEN.
   */
  public Future<Admission> admit() {
    if (isClosed()) {
      return CALL;
    }
    if (probing || !shared.mayTryProbe()) {
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
      CircuitState started = shared.startProbe();
      if (started == null) {
        probing = false;
        ar.result().run();
        return isClosed() ? CALL : Future.failedFuture(openError());
      }
      decided(started);
      releaseProbe = ar.result();
      return Future.succeededFuture(Admission.PROBE);
    });
  }

  /**
   * Sends one attempt as {@code admission} allows: a CALL through the breaker, the PROBE on its
   * own, its outcome closing or reopening the circuit. A failed attempt counts toward the threshold.
   *
   * @return the outcome the upstream gave; fails with CIRCUIT_OPEN when no attempt was made
   */
  public Future<UpstreamOutcome> attempt(Admission admission, Supplier<Future<UpstreamOutcome>> send) {
    return admission == Admission.PROBE ? probe(send) : call(send);
  }

  /** Whether another attempt may follow this one (a retry): only while the circuit is CLOSED. */
  public boolean isClosed() {
    return shared.state().state() == CircuitBreakerState.CLOSED;
  }

  /**
   * An attempt whose head succeeded failed later (the upstream died mid-body): a failure all the same.
   *
   * @param why what cut it, for the reason of an opening it causes
   */
  public void failedAfterHead(String why) {
    recordLocalFailure(why);
  }

  private Future<UpstreamOutcome> call(Supplier<Future<UpstreamOutcome>> send) {
    shared.called(clock.getAsLong());
    listener.called(this);
    breakerFollows();
    LastOutcome last = new LastOutcome();
    return breaker.<UpstreamOutcome>execute(() -> send.get().andThen(ar -> last.outcome = ar.result()))
      // The breaker fails a call its FailurePolicy rejects without passing the value on; the
      // outcome we saw is the answer either way.
      .transform(ar -> {
        if (last.outcome == null) {
          return Future.failedFuture(ar.cause() instanceof OpenCircuitException ? openError() : ar.cause());
        }
        if (last.outcome.isFailure(policy.circuit().failureStatuses())) {
          recordLocalFailure(last.outcome.toString());
        }
        return Future.succeededFuture(last.outcome);
      });
  }

  private Future<UpstreamOutcome> probe(Supplier<Future<UpstreamOutcome>> send) {
    return send.get().andThen(ar -> {
      UpstreamOutcome outcome = ar.result();
      if (ar.succeeded() && saysNothingOfTheUpstream(outcome)) {
        decided(shared.probeAbandoned("probe got no verdict (" + outcome + "); the next request probes"));
      } else if (ar.failed() || outcome.isFailure(policy.circuit().failureStatuses())) {
        decided(shared.probeFailed("probe failed: " + (ar.failed() ? ar.cause().getMessage() : outcome)));
      } else {
        decided(shared.probeSucceeded());
      }
      probing = false;
      Runnable release = releaseProbe;
      releaseProbe = () -> { };
      release.run();
    });
  }

  /** A probe that queued in this gateway and was never sent, or whose upload the client cut short. */
  private static boolean saysNothingOfTheUpstream(UpstreamOutcome outcome) {
    return outcome.kind() == UpstreamOutcome.Kind.BUSY || outcome.kind() == UpstreamOutcome.Kind.REQUEST_ABORTED;
  }

  private void recordLocalFailure(String what) {
    listener.failed(this);
    decided(shared.failed(clock.getAsLong(), what));
  }

  /** Calls and failures another node's instance reported for this route. */
  public void heard(String fromNode, String fromInstance, long seq, long calls, long failed) {
    decided(shared.heard(fromNode, fromInstance, seq, calls, failed, clock.getAsLong()));
  }

  /** For tests: a report with no sequence number (never taken for a repeat). */
  void heard(String fromNode, long calls, long failed) {
    heard(fromNode, "", 0, calls, failed);
  }

  /**
   * Tells the bus and the metrics about a transition this instance decided, and arms a recheck
   * when a cluster-wide decision waits for the other nodes' reports.
   */
  private void decided(CircuitState to) {
    if (to != null) {
      breakerFollows();
      listener.transitioned(this, to);
    }
    long due = shared.undecidedUntilMs(clock.getAsLong());
    if (due > 0 && recheckTimer == -1) {
      recheckTimer = vertx.setTimer(Math.max(1, due - clock.getAsLong()), id -> {
        recheckTimer = -1;
        decided(shared.recheck(clock.getAsLong()));
      });
    }
  }

  /**
   * Takes a transition another instance decided, or the cluster map's last word.
   *
   * @return whether it was news to this node
   */
  public boolean follow(CircuitEvent event) {
    boolean news = shared.follow(event);
    breakerFollows();
    return news;
  }

  public void close() {
    if (recheckTimer != -1) {
      vertx.cancelTimer(recheckTimer);
    }
    breaker.close();
    releaseProbe.run();
  }

  /** Per call; every attempt of a call runs on the caller's event loop. */
  private static final class LastOutcome {
    UpstreamOutcome outcome;
  }
}
