package dev.sluice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.gateway.circuit.CircuitBus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The half-open probe lock on a real Hazelcast member (a clustered Vert.x from the project's
 * cluster.xml, as {@code sluice.jar run --cluster} builds it): gateway instances of one node, each
 * on its own event loop, try the lock for one route at once, as they do when a probe falls due.
 * The claim: one of them wins, every time.
 */
class OneProbePerRouteTest {
  static final int INSTANCES = 6;
  static final int ROUNDS = 20;

  Vertx node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close().await();
    }
  }

  @Test
  void instancesOfOneNodeTryingAtOnceHaveOneWinner() throws Exception {
    int port = SluiceJarIT.freePort();
    node = ClusterSetup.fromEnvironment(Map.of("SLUICE_CLUSTER_NAME", "sluice-probe-test-" + UUID.randomUUID(),
      "SLUICE_CLUSTER_PORT", String.valueOf(port), "SLUICE_CLUSTER_MEMBERS", "127.0.0.1:" + port))
      .start(NodeVertx.newRegistry());
    List<Context> loops = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      loops.add(node.getOrCreateContext()); // a new event-loop context per call from a non-Vert.x thread
    }
    for (int round = 0; round < ROUNDS; round++) {
      String route = "route-" + round;
      List<Future<Runnable>> tries = new ArrayList<>();
      for (Context loop : loops) {
        Promise<Runnable> tried = Promise.promise();
        loop.runOnContext(v -> new CircuitBus(node).tryProbeLock(route).onComplete(tried));
        tries.add(tried.future());
      }
      Future.join(tries).otherwiseEmpty().await(30, TimeUnit.SECONDS);
      List<Runnable> won = tries.stream().filter(Future::succeeded).map(Future::result).toList();
      assertEquals(1, won.size(), "round " + round + ": " + won.size() + " of " + INSTANCES + " instances won the probe lock");
      won.forEach(Runnable::run);
    }
  }
}
