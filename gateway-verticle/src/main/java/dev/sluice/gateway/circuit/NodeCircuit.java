package dev.sluice.gateway.circuit;

import dev.sluice.gateway.config.CircuitPolicy;
import dev.sluice.gateway.config.RoutePolicy;
import io.vertx.circuitbreaker.CircuitBreakerState;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * One route's circuit on one node: the failure window and the state every gateway instance of
 * the node reads and writes at once, so the {@code failureThreshold}-th failure on any instance
 * opens the route for all of them before their next request. Between nodes the window is fed by
 * the batched reports of {@link CircuitSync}; between the instances of a node nothing is batched.
 *
 * <p>The quorum rule, node first: a node whose own failures reach the threshold opens the route
 * at {@link CircuitScope#NODE} at once (it stops hurting itself); the route opens for the cluster
 * only when the failures in the window come from a quorum of the nodes that called it in the
 * window, successes included. Nodes report their calls in batches, so that decision waits until
 * every live node has been heard from, or until {@link #REPORT_WAIT_MS} after the first failure
 * in the window, whichever comes first; a node that has not reported by then is not counted. A
 * node-scope circuit that meets the quorum later is promoted, an event of its own.
 *
 * <p>Thread-safe: the instances' event loops call in. Every method that reads or changes the
 * window or the machine holds this object's lock, none of them waits on anything; the state is
 * also published through a volatile field, so the per-request check takes no lock.
 */
final class NodeCircuit {
  /** Two call reports: what it takes to hear from every node that calls the route. */
  static final long REPORT_WAIT_MS = 2 * FailureBatcher.CALL_BATCH_MS;
  /** A node's own calls are noted at most this often: a shared write per request would cost. */
  private static final long CALL_NOTE_MS = 100;

  private final String node;
  private final String route;
  private final RoutePolicy policy;
  private final LongSupplier clock;
  private final IntSupplier liveNodes;
  private final CallWindow window = new CallWindow(RouteCircuit.FAILURE_WINDOW_MS);
  private final CircuitStateMachine machine;
  /** The last report seen from each instance of another node: every instance of this node hears each one. */
  private final Map<String, Long> lastReport = new HashMap<>();
  /** The last failure one of this node's instances counted (guarded by this). */
  private String lastFailure;
  private volatile CircuitState state = CircuitState.INITIAL;
  /** Far enough in the past that "now - it" neither overflows nor falls in a window. */
  private static final long NEVER = Long.MIN_VALUE / 4;

  private volatile long lastLocalCallMs = NEVER;
  /** Set by the machine while a locked method runs: what that method decided, for its caller to publish. */
  private CircuitState decided;

  NodeCircuit(String node, String route, RoutePolicy policy, LongSupplier clock, IntSupplier liveNodes) {
    this.node = node;
    this.route = route;
    this.policy = policy;
    this.clock = clock;
    this.liveNodes = liveNodes;
    this.machine = new CircuitStateMachine(policy.circuit().resetTimeoutMs(), clock, new CircuitStateMachine.Listener() {
      @Override
      public void changed(CircuitState to) {
        if (to.state() == CircuitBreakerState.CLOSED) {
          window.clearFailures();
        }
        state = to;
      }

      @Override
      public void decided(CircuitState to) {
        decided = to;
      }
    });
  }

  String route() {
    return route;
  }

  String nodeId() {
    return node;
  }

  RoutePolicy policy() {
    return policy;
  }

  /** The node's view; read without a lock on every request. */
  CircuitState state() {
    return state;
  }

  /** A call on one of this node's instances; most calls only read a volatile. */
  void called(long nowMs) {
    if (nowMs - lastLocalCallMs >= CALL_NOTE_MS) {
      lastLocalCallMs = nowMs;
    }
  }

  /** @return the transition this failure decided, or null */
  /** @param what the failure, as the trip's reason names it ("TIMEOUT: …", "HTTP 502", …) */
  synchronized CircuitState failed(long nowMs, String what) {
    lastFailure = what;
    window.failed(node, nowMs, 1);
    return decide(nowMs);
  }

  /**
   * Calls and failures another node's instance reported.
   *
   * @param seq the report's number on its instance: each instance of this node hears the same report
   * @return the transition it decided, or null
   */
  synchronized CircuitState heard(String fromNode, String fromInstance, long seq, long calls, long failures,
                                  long nowMs) {
    String key = fromNode + '/' + fromInstance;
    Long last = lastReport.get(key);
    if (last != null && seq > 0 && seq <= last) {
      return null;
    }
    lastReport.put(key, seq);
    if (failures > 0) {
      window.failed(fromNode, nowMs, failures);
    } else if (calls > 0) {
      window.called(fromNode, nowMs);
    }
    return decide(nowMs);
  }

  /** Weighs the window again (a deferred quorum may have come due). @return what it decided, or null */
  synchronized CircuitState recheck(long nowMs) {
    return decide(nowMs);
  }

  /**
   * When a cluster-wide decision waits for reports, the time at which it no longer waits; 0 when
   * nothing waits.
   */
  synchronized long undecidedUntilMs(long nowMs) {
    if (state.scope() == CircuitScope.CLUSTER && state.state() != CircuitBreakerState.CLOSED
      || window.failures(nowMs) < policy.circuit().failureThreshold()) {
      return 0;
    }
    long oldest = window.oldestFailureMs(nowMs);
    return oldest == Long.MAX_VALUE || nowMs - oldest >= REPORT_WAIT_MS ? 0 : oldest + REPORT_WAIT_MS;
  }

  /** @return whether it was news to this node (the first of its instances to hear it takes it) */
  synchronized boolean follow(CircuitEvent event) {
    return machine.follow(event.state(), event.scope(), event.version(), event.probeInMs(), event.reason());
  }

  synchronized CircuitState startProbe() {
    return locked(machine::startProbe);
  }

  synchronized CircuitState probeSucceeded() {
    return locked(machine::probeSucceeded);
  }

  synchronized CircuitState probeFailed(String reason) {
    return locked(() -> machine.probeFailed(reason));
  }

  synchronized CircuitState probeAbandoned(String reason) {
    return locked(() -> machine.probeAbandoned(reason));
  }

  synchronized boolean mayTryProbe() {
    return machine.mayTryProbe();
  }

  synchronized long msUntilProbe() {
    return machine.msUntilProbe();
  }

  synchronized long failureCount(long nowMs) {
    return window.failures(nowMs);
  }

  synchronized int callers(long nowMs) {
    noteLocalCalls();
    return window.callers(nowMs);
  }

  /** Runs a machine call; @return the state it decided (null when it refused or only followed) */
  private CircuitState locked(BooleanSupplier call) {
    decided = null;
    boolean changed = call.getAsBoolean();
    CircuitState result = changed ? decided : null;
    decided = null;
    return result;
  }

  private void noteLocalCalls() {
    long at = lastLocalCallMs;
    if (at != NEVER) {
      window.called(node, at);
    }
  }

  /**
   * The quorum rule (see the class comment). A cluster-scope open circuit is decided already;
   * the probe settles it.
   */
  /** So an operator reading an opening (log, /__circuit) sees what was counted, not only how many. */
  private String lastFailureHere() {
    return lastFailure == null ? "" : "; last failure on this node: " + lastFailure;
  }

  private CircuitState decide(long nowMs) {
    CircuitState now = state;
    CircuitPolicy circuit = policy.circuit();
    boolean closed = now.state() == CircuitBreakerState.CLOSED;
    boolean openOnThisNode = now.state() == CircuitBreakerState.OPEN
      && now.scope() == CircuitScope.NODE;
    if (!closed && !openOnThisNode || window.failures(nowMs) < circuit.failureThreshold()) {
      return null;
    }
    noteLocalCalls();
    int failing = window.failingNodes(nowMs).size();
    int callers = Math.max(failing, window.callers(nowMs));
    int required = circuit.quorum().required(callers);
    boolean heardEveryone = callers >= liveNodes.getAsInt();
    boolean waitedForReports = nowMs - window.oldestFailureMs(nowMs) >= REPORT_WAIT_MS;
    boolean quorum = failing >= required && (heardEveryone || waitedForReports || !circuit.quorum().isMajority());
    String counted = failing + " of " + callers + " calling nodes failing";
    if (quorum) {
      return locked(() -> closed
        ? machine.trip(CircuitScope.CLUSTER, "failure threshold reached: " + counted + lastFailureHere())
        : machine.promote("quorum formed: " + counted));
    }
    if (closed && window.failures(node, nowMs) >= circuit.failureThreshold()) {
      return locked(() -> machine.trip(CircuitScope.NODE, "failure threshold reached on this node only ("
        + counted + ", quorum " + required + (heardEveryone ? "" : ", waiting for the other nodes' reports") + ")"
        + lastFailureHere()));
    }
    return null;
  }
}
