package dev.sluice.gateway.upstream;

import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Passive ejection and picking, driven by a clock the test moves: no sleeps. */
class RouteTargetsTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final List<String> ejections = new ArrayList<>();
  private final TargetListener listener = (route, target, forMs, sequence, reason) ->
    ejections.add(target.config().url().getHost() + " " + forMs + " #" + sequence);

  RouteTargets targets(OutlierOptions outlier, String... hosts) {
    RoutePolicy base = RoutePolicy.DEFAULT;
    RoutePolicy policy = new RoutePolicy(base.timeoutMs(), base.rateLimit(), base.circuit(), base.retry(),
      Balance.ROUND_ROBIN, outlier, HealthOptions.OFF);
    List<TargetConfig> list = new ArrayList<>();
    for (String host : hosts) {
      list.add(new TargetConfig(URI.create("http://" + host + ":1")));
    }
    return new RouteTargets(new RouteConfig("r", "/r", list, false, policy), Map.of(), now::get, bound -> 0, listener,
      "node-1");
  }

  static void fail(RouteTargets route, Target target, int times) {
    for (int i = 0; i < times; i++) {
      target.state().started();
      route.finished(target, true, "HTTP 503");
    }
  }

  static void succeed(RouteTargets route, Target target) {
    target.state().started();
    route.finished(target, false, "HTTP 200");
  }

  @Test
  void aTargetFailingConsecutiveFailuresTimesInARowIsOutForEjectMs() {
    RouteTargets route = targets(new OutlierOptions(3, 10_000, 50), "a", "b");
    Target a = route.targets().get(0);
    fail(route, a, 2);
    succeed(route, a);
    fail(route, a, 2);
    assertTrue(a.state().available(now.get()), "a success in between starts the row again");
    fail(route, a, 1);
    assertFalse(a.state().available(now.get()));
    assertEquals(List.of("a 10000 #1"), ejections);
    assertEquals("node-1", a.state().ejectedBy());
    now.addAndGet(9_999);
    assertFalse(a.state().available(now.get()));
    now.addAndGet(1);
    assertTrue(a.state().available(now.get()), "back after exactly ejectMs");
  }

  @Test
  void anEjectionSoonAfterTheLastLastsTwiceAsLongUpToTheCap() {
    RouteTargets route = targets(new OutlierOptions(1, 10_000, 50), "a", "b");
    Target a = route.targets().get(0);
    long[] expected = {10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000};
    for (long forMs : expected) {
      fail(route, a, 1);
      assertEquals(forMs, a.state().remainingMs(now.get()));
      now.addAndGet(forMs + 1); // back, and fails again at once
    }
    assertEquals("a 300000 #7", ejections.get(ejections.size() - 1));
  }

  @Test
  void aTargetThatStaysInAsLongAsItWasOutStartsANewRow() {
    RouteTargets route = targets(new OutlierOptions(1, 10_000, 50), "a", "b");
    Target a = route.targets().get(0);
    fail(route, a, 1);
    now.addAndGet(10_000);
    fail(route, a, 1);
    assertEquals(20_000, a.state().remainingMs(now.get()));
    now.addAndGet(20_000 + 20_000); // out 20 s, then in 20 s
    fail(route, a, 1);
    assertEquals(10_000, a.state().remainingMs(now.get()));
    assertEquals(List.of("a 10000 #1", "a 20000 #2", "a 10000 #1"), ejections);
  }

  @Test
  void neverMoreThanMaxEjectedPercentOfTheTargetsAreOutAtOnce() {
    RouteTargets route = targets(new OutlierOptions(1, 10_000, 50), "a", "b", "c", "d");
    for (Target target : route.targets()) {
      fail(route, target, 1);
    }
    assertEquals(List.of("a 10000 #1", "b 10000 #1"), ejections, "50% of four");
    assertTrue(route.anyAvailable());
  }

  @Test
  void oneOfTwoTargetsMayAlwaysBeEjectedButARoutesOnlyTargetNever() {
    RouteTargets two = targets(new OutlierOptions(1, 10_000, 10), "a", "b");
    fail(two, two.targets().get(0), 1);
    fail(two, two.targets().get(1), 1);
    assertEquals(List.of("a 10000 #1"), ejections);
    RouteTargets one = targets(new OutlierOptions(1, 10_000, 100), "solo");
    fail(one, one.targets().get(0), 5);
    assertTrue(one.anyAvailable(), "a single target's failures are the circuit's business");
  }

  @Test
  void withMaxEjectedPercent100EveryTargetCanBeOutAndThenNoneIsPicked() {
    RouteTargets route = targets(new OutlierOptions(1, 4_000, 100), "a", "b");
    route.targets().forEach(t -> fail(route, t, 1));
    assertFalse(route.anyAvailable());
    assertNull(route.pick(Set.of()));
    assertEquals(4_000, route.retryAfterMs());
  }

  @Test
  void aRetryGoesToATargetThisRequestHasNotTriedWhenThereIsOne() {
    RouteTargets route = targets(OutlierOptions.DEFAULT, "a", "b", "c");
    List<Target> tried = new ArrayList<>();
    Target first = route.pick(tried);
    tried.add(first);
    Target second = route.pick(tried);
    assertNotSame(first, second);
    tried.add(second);
    Target third = route.pick(tried);
    assertFalse(tried.contains(third));
    tried.add(third);
    assertTrue(tried.contains(route.pick(tried)), "all tried: any available one");
  }

  @Test
  void ejectionsFromElsewhereLastTheirDurationAndAnOlderReturnDoesNotEndANewerOne() {
    RouteTargets route = targets(OutlierOptions.DEFAULT, "a", "b");
    Target a = route.targets().get(0);
    route.ejectedElsewhere(a.name(), 5_000, 2, "node-2", "5 failures");
    assertFalse(a.state().available(now.get()));
    assertEquals("node-2", a.state().ejectedBy());
    route.ejectedElsewhere(a.name(), 5_000, 2, "node-3", "same ejection, heard twice");
    assertEquals("node-2", a.state().ejectedBy());
    route.returnedElsewhere(a.name(), 1, "node-2");
    assertFalse(a.state().available(now.get()), "RETURNED #1 is about an older ejection");
    route.returnedElsewhere(a.name(), 2, "node-2");
    assertTrue(a.state().available(now.get()));
  }

  /** Node-first for targets: one node's own ejection is no quorum of two calling nodes. */
  @Test
  void anotherNodesEjectionAppliesHereOnlyWhenTheEjectingNodesAreAQuorumOfTheCallers() {
    AtomicLong callingNodes = new AtomicLong(2);
    RoutePolicy base = RoutePolicy.DEFAULT;
    RoutePolicy policy = new RoutePolicy(base.timeoutMs(), base.rateLimit(), base.circuit(), base.retry(),
      Balance.ROUND_ROBIN, OutlierOptions.DEFAULT, HealthOptions.OFF);
    RouteTargets route = new RouteTargets(new RouteConfig("r", "/r",
      List.of(new TargetConfig(URI.create("http://a:1")), new TargetConfig(URI.create("http://b:1"))), false, policy),
      Map.of(), now::get, bound -> 0, listener, "node-1", () -> (int) callingNodes.get());
    Target a = route.targets().get(0);
    route.ejectedElsewhere(a.name(), 5_000, 1, "node-2", "5 failures on node-2");
    assertTrue(a.state().available(now.get()), "node-2 alone of 2 calling nodes: its own network, maybe");
    assertEquals(1, route.ejectingNodes(a));
    callingNodes.set(3);
    route.ejectedElsewhere(a.name(), 5_000, 1, "node-3", "5 failures on node-3");
    assertFalse(a.state().available(now.get()), "2 of 3 calling nodes eject it: a quorum");
    route.returnedElsewhere(a.name(), 1, "node-3");
    assertEquals(1, route.ejectingNodes(a));
    now.addAndGet(5_000);
    assertEquals(0, route.ejectingNodes(a), "votes end with their ejections");
    route.ejectedElsewhere(a.name(), 5_000, 3, "node-1", "this node's own");
    assertFalse(a.state().available(now.get()), "this node's own ejection applies at once");
  }

  @Test
  void aHealthyVerdictTakesBackAnEjectedTargetAndAnUnhealthyOneHoldsItOut() {
    RouteTargets route = targets(new OutlierOptions(1, 60_000, 50), "a", "b");
    Target a = route.targets().get(0);
    route.health(a.name(), true, "node-2", "3 checks failed");
    assertFalse(a.state().available(now.get()));
    now.addAndGet(3_600_000);
    assertFalse(a.state().available(now.get()), "unhealthy lasts until a check passes");
    route.health(a.name(), false, "node-2", "2 checks passed");
    assertTrue(a.state().available(now.get()));
    fail(route, a, 1);
    assertFalse(a.state().available(now.get()));
    route.health(a.name(), false, "node-2", "2 checks passed");
    assertTrue(a.state().available(now.get()), "Envoy's rule: a passing health check un-ejects");
  }

  @Test
  void aReloadKeepsTheStateOfTargetsThatStayed() {
    RoutePolicy policy = RoutePolicy.DEFAULT;
    UpstreamTargets before = new UpstreamTargets(List.of(new RouteConfig("r", "/r",
      List.of(new TargetConfig(URI.create("http://a:1")), new TargetConfig(URI.create("http://b:1"))), false, policy)),
      now::get, bound -> 0, listener, "node-1");
    Target a = before.get("r").targets().get(0);
    before.get("r").ejectedElsewhere(a.name(), 5_000, 1, "node-2", "why");
    UpstreamTargets after = before.updatedFor(List.of(new RouteConfig("r", "/r",
      List.of(new TargetConfig(URI.create("http://a:1"), 3), new TargetConfig(URI.create("http://c:1"))), false,
      policy)));
    Target kept = after.get("r").targets().get(0);
    assertSame(a.state(), kept.state(), "same URL, new weight: same state");
    assertEquals(3, kept.weight());
    assertFalse(kept.state().available(now.get()));
    assertTrue(after.get("r").targets().get(1).state().available(now.get()));
    assertEquals(List.of(Map.entry("r", "http://b:1")), before.retiredBy(after), "b's gauge goes");
  }
}
