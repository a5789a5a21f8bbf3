package dev.sluice.gateway.circuit;

import io.vertx.circuitbreaker.CircuitBreakerState;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.LongSupplier;

import static io.vertx.circuitbreaker.CircuitBreakerState.CLOSED;
import static io.vertx.circuitbreaker.CircuitBreakerState.HALF_OPEN;
import static io.vertx.circuitbreaker.CircuitBreakerState.OPEN;

/**
 * The cluster's view of one route's circuit, as one instance holds it: CLOSED, OPEN or HALF_OPEN,
 * with a scope (cluster or node) and a version.
 * <pre>
 *            trip (threshold)            probe due, lock won
 *   CLOSED ────────────────────► OPEN ───────────────────────► HALF_OPEN
 *                         promote ⟲ (scope node → cluster, when the quorum forms)
 *     ▲  ▲                        ▲ ▲                              │ │
 *     │  └──── forceClose ────────┘ └────── probe failed ──────────┘ │
 *     └──────────────────────── probe succeeded ─────────────────────┘
 *   (forceOpen and forceClose, an operator's orders, are allowed from any state)
 * </pre>
 * Every decision goes through {@link #transition}, which checks that the edge exists, bumps the
 * version and tells the {@link Listener} (the bus, the breaker). What another instance decided
 * arrives through {@link #follow}: applied when its version is higher (see
 * {@link CircuitState#isSupersededBy}), never published again.
 * <p>
 * Time is this instance's monotonic clock only: a probe is due {@code resetTimeoutMs} after the
 * circuit opened <em>here</em>, or after the time left that the deciding instance sent with its
 * event. Wall clocks never enter (nodes' clocks disagree). Not thread-safe: one event loop.
 */
public final class CircuitStateMachine {
  /** Hears every state this machine takes. */
  public interface Listener {
    /** Any change, decided here or followed: the instance's breaker follows it. */
    void changed(CircuitState to);

    /** A change this instance decided: the bus carries it to the others. */
    void decided(CircuitState to);
  }

  /** The edges of the diagram above; anything else is refused. */
  enum Transition {
    TRIP(EnumSet.of(CLOSED), OPEN),
    PROMOTE(EnumSet.of(OPEN), OPEN),
    PROBE(EnumSet.of(OPEN), HALF_OPEN),
    PROBE_SUCCEEDED(EnumSet.of(HALF_OPEN), CLOSED),
    PROBE_FAILED(EnumSet.of(HALF_OPEN), OPEN),
    /** The probe said nothing of the upstream (it queued in this gateway, or its client left): due again at once. */
    PROBE_ABANDONED(EnumSet.of(HALF_OPEN), OPEN),
    FORCE_OPEN(EnumSet.allOf(CircuitBreakerState.class), OPEN),
    FORCE_CLOSE(EnumSet.allOf(CircuitBreakerState.class), CLOSED);

    final Set<CircuitBreakerState> from;
    final CircuitBreakerState to;

    Transition(Set<CircuitBreakerState> from, CircuitBreakerState to) {
      this.from = from;
      this.to = to;
    }
  }

  private final long resetTimeoutMs;
  private final LongSupplier monotonicMs;
  private final Listener listener;
  private CircuitState state = CircuitState.INITIAL;
  /**
   * The version of the last CLUSTER-scope state this instance had. A NODE-scope history is this
   * node's own (the other nodes never saw its versions), so a cluster event is weighed against
   * this, not against the node's own count.
   */
  private long clusterVersion;

  /** @param monotonicMs a clock that only moves forward (never the time of day) */
  public CircuitStateMachine(long resetTimeoutMs, LongSupplier monotonicMs, Listener listener) {
    this.resetTimeoutMs = resetTimeoutMs;
    this.monotonicMs = monotonicMs;
    this.listener = listener;
  }

  public CircuitState state() {
    return state;
  }

  /** Time left before a probe may go: 0 when closed, half-open, or overdue. */
  public long msUntilProbe() {
    return state.state() == OPEN ? Math.max(0, state.probeAtMs() - monotonicMs.getAsLong()) : 0;
  }

  public boolean probeDue() {
    return state.state() == OPEN && msUntilProbe() == 0;
  }

  /**
   * Whether this instance may ask for the probe lock: the probe is due, or another instance is
   * probing — which may have died holding the lock; the lock (freed when Hazelcast removes a dead
   * member) tells, and the map's last word read under it turns HALF_OPEN into a due OPEN.
   */
  public boolean mayTryProbe() {
    return probeDue() || state.state() == HALF_OPEN;
  }

  /** Failures reached the threshold. @return false when not CLOSED (already tripped) */
  public boolean trip(CircuitScope scope, String reason) {
    return transition(Transition.TRIP, scope, reason);
  }

  /**
   * A route open on this node only turns out to fail for a quorum of the nodes that call it: it
   * opens for the cluster, with a fresh wait before the cluster's one probe.
   *
   * @return false unless OPEN at node scope
   */
  public boolean promote(String reason) {
    return state.scope() == CircuitScope.NODE && transition(Transition.PROMOTE, CircuitScope.CLUSTER, reason);
  }

  /** This instance won the probe. @return false unless OPEN and the probe is due */
  public boolean startProbe() {
    return probeDue() && transition(Transition.PROBE, state.scope(), "reset timeout elapsed; probing");
  }

  public boolean probeSucceeded() {
    return transition(Transition.PROBE_SUCCEEDED, state.scope(), "probe succeeded");
  }

  public boolean probeFailed(String reason) {
    return transition(Transition.PROBE_FAILED, state.scope(), reason);
  }

  /** The probe got no verdict from the upstream: OPEN again, with the next probe due now. */
  public boolean probeAbandoned(String reason) {
    return transition(Transition.PROBE_ABANDONED, state.scope(), reason);
  }

  /** An operator's order: opens the circuit for the cluster, whatever it was. */
  public boolean forceOpen(String reason) {
    return transition(Transition.FORCE_OPEN, CircuitScope.CLUSTER, reason);
  }

  /** An operator's order: closes the circuit for the cluster, whatever it was. */
  public boolean forceClose(String reason) {
    return transition(Transition.FORCE_CLOSE, CircuitScope.CLUSTER, reason);
  }

  /** The one place a decision is made: validated, versioned, then published. */
  private boolean transition(Transition transition, CircuitScope scope, String reason) {
    if (!transition.from.contains(state.state())) {
      return false;
    }
    long now = monotonicMs.getAsLong();
    long probeAt = transition == Transition.PROBE_ABANDONED ? now : transition.to == OPEN ? now + resetTimeoutMs : 0;
    state = new CircuitState(transition.to, scope, state.version() + 1, probeAt, reason);
    if (scope == CircuitScope.CLUSTER) {
      clusterVersion = state.version();
    }
    listener.changed(state);
    listener.decided(state);
    return true;
  }

  /**
   * A state another instance decided (or the cluster map's last word), taken if it supersedes
   * this one.
   *
   * @param probeInMs for OPEN, the time the decider had left before its probe; counted from now
   *                  on this instance's own clock
   * @return whether it was taken
   */
  public boolean follow(CircuitBreakerState to, CircuitScope scope, long version, long probeInMs, String reason) {
    CircuitState weighed = scope == CircuitScope.CLUSTER && state.scope() == CircuitScope.NODE
      ? new CircuitState(state.state(), state.scope(), clusterVersion, state.probeAtMs(), state.reason())
      : state;
    if (!weighed.isSupersededBy(version, to)) {
      return false;
    }
    long probeAt = to == OPEN ? monotonicMs.getAsLong() + Math.max(0, probeInMs) : 0;
    // A cluster event that replaces a node-scope history takes the cluster's count back.
    state = new CircuitState(to, scope, version, probeAt, reason);
    if (scope == CircuitScope.CLUSTER) {
      clusterVersion = version;
    }
    listener.changed(state);
    return true;
  }
}
