package dev.sluice.gateway.circuit;

import dev.sluice.gateway.config.CircuitPolicy;
import dev.sluice.gateway.config.Quorum;
import dev.sluice.gateway.config.RoutePolicy;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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

  RouteCircuit circuitOnNodeA(Quorum quorum) {
    RoutePolicy defaults = RoutePolicy.DEFAULT;
    RoutePolicy policy = new RoutePolicy(defaults.timeoutMs(), defaults.rateLimit(),
      new CircuitPolicy(THRESHOLD, 30_000, Set.of(500), quorum), defaults.retry());
    return new RouteCircuit(vertx, "A", "users", policy, () -> 1_000, new CircuitListener() {
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
    }, route -> Future.failedFuture("no probes here"));
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
