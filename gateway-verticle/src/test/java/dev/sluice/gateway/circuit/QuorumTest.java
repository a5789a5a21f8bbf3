package dev.sluice.gateway.circuit;

import dev.sluice.gateway.config.CircuitPolicy;
import dev.sluice.gateway.config.Quorum;
import dev.sluice.gateway.config.RoutePolicy;
import dev.sluice.gateway.upstream.UpstreamOutcome;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quorum rule on one instance of node A, fed reports as the circuit bus would deliver them
 * (a real breaker on a real Vert.x; the clock stands still, so everything is in one window).
 */
class QuorumTest {
  static final int THRESHOLD = 5;
  final Vertx vertx = Vertx.vertx();
  final List<CircuitState> decided = new ArrayList<>();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  final AtomicLong clock = new AtomicLong(1_000);

  static RoutePolicy policy(Quorum quorum) {
    RoutePolicy defaults = RoutePolicy.DEFAULT;
    return new RoutePolicy(defaults.timeoutMs(), defaults.rateLimit(),
      new CircuitPolicy(THRESHOLD, 30_000, Set.of(500), quorum), defaults.retry());
  }

  RouteCircuit circuitOnNodeA(Quorum quorum) {
    return new RouteCircuit(vertx, "A", "users", policy(quorum), () -> 1_000, listener(), route -> Future.failedFuture("no probes here"));
  }

  /** Node A of a cluster of {@code live} nodes that have all just started: A has heard from no one yet. */
  RouteCircuit circuitOnNodeAOf(int live) {
    NodeCircuit shared = new NodeCircuit("A", "users", policy(Quorum.MAJORITY), clock::get, () -> live);
    return new RouteCircuit(vertx, shared, clock::get, listener(), route -> Future.failedFuture("no probes here"));
  }

  CircuitListener listener() {
    return new CircuitListener() {
      @Override
      public void transitioned(RouteCircuit circuit, CircuitState to) {
        decided.add(to);
      }

      @Override
      public void called(RouteCircuit circuit) {
      }

      @Override
      public void failed(RouteCircuit circuit) {
      }
    };
  }

  @Test
  void nodesStartedTogetherANodesOwnFailuresOpenItAloneWhileTheOthersHaveNotReported() {
    RouteCircuit a = circuitOnNodeAOf(2);
    a.heard("A", THRESHOLD, THRESHOLD);
    assertEquals(CircuitBreakerState.OPEN, a.state());
    assertEquals(CircuitScope.NODE, a.view().scope(), "B has not reported yet: A alone is no quorum of the callers");
    // B's first report: it calls the route and succeeds.
    a.heard("B", "b1", 1, 4, 0);
    clock.addAndGet(NodeCircuit.REPORT_WAIT_MS + 1);
    a.heard("B", "b1", 2, 4, 0);
    assertEquals(CircuitScope.NODE, a.view().scope(), "1 failing of 2 calling nodes stays this node's own");
    assertEquals(1, decided.size());
  }

  @Test
  void aNodeScopeCircuitIsPromotedWhenTheOtherNodesFailToo() {
    RouteCircuit a = circuitOnNodeAOf(2);
    a.heard("A", THRESHOLD, THRESHOLD);
    assertEquals(CircuitScope.NODE, a.view().scope());
    a.heard("B", "b1", 1, 2, 2);
    assertEquals(CircuitBreakerState.OPEN, a.state());
    assertEquals(CircuitScope.CLUSTER, a.view().scope(), "2 of 2 calling nodes failing");
    assertEquals(List.of(CircuitScope.NODE, CircuitScope.CLUSTER), decided.stream().map(CircuitState::scope).toList());
    assertTrue(decided.get(1).reason().startsWith("quorum formed"), decided.get(1).reason());
  }

  @Test
  void anOpeningSaysWhatTheLastFailureOnThisNodeWas() {
    RouteCircuit a = circuitOnNodeAOf(1);
    for (int i = 1; i <= THRESHOLD; i++) {
      String refused = "refused " + i;
      a.attempt(Admission.CALL, () -> Future.succeededFuture(UpstreamOutcome.failure(new ConnectException(refused)))).await();
    }
    assertEquals(CircuitBreakerState.OPEN, a.state());
    String reason = decided.get(decided.size() - 1).reason();
    assertTrue(reason.startsWith("failure threshold reached: 1 of 1 calling nodes failing"), reason);
    assertTrue(reason.endsWith("; last failure on this node: CONNECT_FAILURE: refused " + THRESHOLD), reason);
  }

  @Test
  void twoFailingNodesOfThreeWaitForTheThirdsReportThenOpenTheCluster() {
    RouteCircuit a = circuitOnNodeAOf(3);
    a.heard("A", THRESHOLD, THRESHOLD);
    a.heard("B", "b1", 1, 3, 3);
    assertEquals(CircuitScope.NODE, a.view().scope(), "C, live, has not reported: 2 of 2 heard is not yet the cluster's word");
    a.heard("C", "c1", 1, 10, 0);
    assertEquals(CircuitScope.CLUSTER, a.view().scope(), "2 failing of 3 calling nodes is a majority");
  }

  @Test
  void aNodeThatNeverReportsIsNotWaitedForLongerThanTheReportWait() {
    RouteCircuit a = circuitOnNodeAOf(3);
    a.heard("A", THRESHOLD, THRESHOLD);
    a.heard("B", "b1", 1, 3, 3);
    assertEquals(CircuitScope.NODE, a.view().scope());
    clock.addAndGet(NodeCircuit.REPORT_WAIT_MS);
    a.heard("B", "b1", 2, 1, 0);
    assertEquals(CircuitScope.CLUSTER, a.view().scope(), "C does not call the route: 2 of 2 callers failing");
  }

  @Test
  void thisNodesOwnCallsMakeItACaller() {
    NodeCircuit shared = new NodeCircuit("A", "users", policy(Quorum.MAJORITY), clock::get, () -> 2);
    shared.called(clock.get());
    shared.heard("B", "b1", 1, THRESHOLD, THRESHOLD, clock.get());
    clock.addAndGet(NodeCircuit.REPORT_WAIT_MS);
    shared.recheck(clock.get());
    assertEquals(CircuitBreakerState.CLOSED, shared.state().state(), "1 failing of 2 calling nodes: B's own fault");
    assertEquals(2, shared.callers(clock.get()));
  }

  @Test
  void aReportHeardByEveryInstanceOfANodeCountsOnce() {
    RouteCircuit a = circuitOnNodeAOf(2);
    a.heard("B", "b1", 7, 3, 3);
    a.heard("B", "b1", 7, 3, 3);
    assertEquals(3, a.failureCount());
  }

  @Test
  void aSingleNodeIsItsOwnMajorityAndOpensTheRouteForTheCluster() {
    RouteCircuit a = circuitOnNodeA(Quorum.MAJORITY);
    a.heard("A", THRESHOLD, THRESHOLD);
    assertEquals(CircuitBreakerState.OPEN, a.state());
    assertEquals(CircuitScope.CLUSTER, a.view().scope());
  }

  @Test
  void failuresOnOneOfTwoCallingNodesOpenThatNodeOnly() {
    RouteCircuit a = circuitOnNodeA(Quorum.MAJORITY);
    a.heard("B", 3, 0);
    a.heard("A", THRESHOLD, THRESHOLD);
    assertEquals(CircuitBreakerState.OPEN, a.state());
    assertEquals(CircuitScope.NODE, a.view().scope());
    assertTrue(decided.get(0).reason().contains("this node only"), decided.get(0).reason());
  }

  @Test
  void failuresFromAMajorityOfCallingNodesOpenTheRouteForTheCluster() {
    RouteCircuit a = circuitOnNodeA(Quorum.MAJORITY);
    a.heard("C", 3, 0);
    a.heard("B", 2, 2);
    a.heard("A", 3, 3);
    assertEquals(CircuitBreakerState.OPEN, a.state());
    assertEquals(CircuitScope.CLUSTER, a.view().scope(), "2 failing of 3 calling is a majority");
  }

  @Test
  void anotherNodesFailuresWithoutQuorumLeaveThisNodeServing() {
    RouteCircuit a = circuitOnNodeA(Quorum.MAJORITY);
    a.heard("A", 10, 0);
    a.heard("B", THRESHOLD, THRESHOLD);
    assertEquals(CircuitBreakerState.CLOSED, a.state());
    assertTrue(decided.isEmpty());
  }

  @Test
  void aQuorumOfOneIsAnyNode() {
    RouteCircuit a = circuitOnNodeA(new Quorum(1));
    a.heard("B", 3, 0);
    a.heard("A", THRESHOLD, THRESHOLD);
    assertEquals(CircuitScope.CLUSTER, a.view().scope());
  }

  @Test
  void aClusterEventReplacesANodeScopeHistoryWhoseVersionsNoOneElseSaw() {
    RouteCircuit fresh = circuitOnNodeA(Quorum.MAJORITY);
    fresh.heard("B", 3, 0);
    fresh.heard("A", THRESHOLD, THRESHOLD); // NODE OPEN v1
    assertTrue(fresh.follow(new CircuitEvent("users", CircuitBreakerState.OPEN, CircuitScope.CLUSTER, 1, "B", "b1", 9,
      30_000, "threshold on B and C")), "cluster v1 beats a node-scope v1: the cluster never saw ours");
    assertEquals(CircuitScope.CLUSTER, fresh.view().scope());
  }
}
