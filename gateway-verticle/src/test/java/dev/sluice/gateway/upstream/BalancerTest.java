package dev.sluice.gateway.upstream;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class BalancerTest {
  static Target target(String host, int weight) {
    return new Target(new TargetConfig(URI.create("http://" + host + ":1"), weight), new TargetState());
  }

  /** Draws what the test lists, in order (each taken modulo the bound the balancer asks for). */
  static IntUnaryOperator draws(int... values) {
    Deque<Integer> queue = new ArrayDeque<>();
    for (int v : values) {
      queue.add(v);
    }
    return bound -> queue.removeFirst() % bound;
  }

  @Test
  void roundRobinTakesTurnsInProportionToWeightWithoutBursts() {
    Target a = target("a", 5);
    Target b = target("b", 1);
    Target c = target("c", 1);
    Balancer balancer = Balancer.of(Balance.ROUND_ROBIN, draws());
    StringBuilder order = new StringBuilder();
    for (int i = 0; i < 14; i++) {
      order.append(balancer.pick(List.of(a, b, c)).config().url().getHost());
    }
    assertEquals("aabacaaaabacaa", order.toString(), "nginx's smooth weighted round-robin, twice over");
  }

  @Test
  void roundRobinSpreadsEquallyOverEqualTargetsAndSkipsOnesThatAreOut() {
    Target a = target("a", 1);
    Target b = target("b", 1);
    Target c = target("c", 1);
    Balancer balancer = Balancer.of(Balance.ROUND_ROBIN, draws());
    Map<Target, Integer> counts = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      counts.merge(balancer.pick(List.of(a, b, c)), 1, Integer::sum);
    }
    assertEquals(Map.of(a, 10, b, 10, c, 10), counts);
    for (int i = 0; i < 4; i++) {
      counts.merge(balancer.pick(List.of(a, c)), 1, Integer::sum);
    }
    assertEquals(Map.of(a, 12, b, 10, c, 12), counts);
  }

  @Test
  void leastRequestsSendsToTheLessBusyOfTwoDrawnTargets() {
    Target a = target("a", 1);
    Target b = target("b", 1);
    Target c = target("c", 1);
    a.state().started();
    a.state().started();
    b.state().started();
    // first draw: a (0), second among b and c: b (0) -> b has fewer in flight
    assertSame(b, Balancer.of(Balance.LEAST_REQUESTS, draws(0, 0)).pick(List.of(a, b, c)));
    // a and c: c is idle
    assertSame(c, Balancer.of(Balance.LEAST_REQUESTS, draws(0, 1)).pick(List.of(a, b, c)));
    // c drawn first (2), then a: c stays
    assertSame(c, Balancer.of(Balance.LEAST_REQUESTS, draws(2, 0)).pick(List.of(a, b, c)));
  }

  @Test
  void leastRequestsWeighsLoadByWeightAndDrawsByWeight() {
    Target heavy = target("heavy", 3);
    Target light = target("light", 1);
    heavy.state().started();
    heavy.state().started();
    light.state().started();
    // 2 in flight / weight 3 is less than 1 / weight 1
    assertSame(heavy, Balancer.of(Balance.LEAST_REQUESTS, draws(3, 0)).pick(List.of(heavy, light)));
    // draws 0..2 of total 4 land on heavy, 3 on light
    Balancer balancer = Balancer.of(Balance.LEAST_REQUESTS, draws(2, 0));
    assertSame(heavy, balancer.pick(List.of(heavy, light)));
  }

  @Test
  void aSingleCandidateIsPickedWithoutADraw() {
    Target only = target("only", 1);
    assertSame(only, Balancer.of(Balance.LEAST_REQUESTS, draws()).pick(List.of(only)));
    assertSame(only, Balancer.of(Balance.ROUND_ROBIN, draws()).pick(List.of(only)));
  }
}
