package dev.sluice.gateway.circuit;

import io.vertx.circuitbreaker.CircuitBreakerState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.vertx.circuitbreaker.CircuitBreakerState.CLOSED;
import static io.vertx.circuitbreaker.CircuitBreakerState.HALF_OPEN;
import static io.vertx.circuitbreaker.CircuitBreakerState.OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster's view of one route's circuit, driven by a hand-moved clock: no sleeps, no event loop. */
class CircuitStateMachineTest {
  static final long RESET_MS = 30_000;

  /** A monotonic clock the test moves; each instance's starts anywhere (a JVM's nanoTime origin is arbitrary). */
  static final class TestClock {
    long nowMs;

    TestClock(long startMs) {
      this.nowMs = startMs;
    }

    void advance(long ms) {
      nowMs += ms;
    }
  }

  /** One instance: its machine, its clock, and what it decided (what it would publish). */
  static final class Instance implements CircuitStateMachine.Listener {
    final TestClock clock;
    final CircuitStateMachine machine;
    final List<CircuitState> changes = new ArrayList<>();
    final List<CircuitEvent> published = new ArrayList<>();

    Instance(long clockStartMs) {
      clock = new TestClock(clockStartMs);
      machine = new CircuitStateMachine(RESET_MS, () -> clock.nowMs, this);
    }

    @Override
    public void changed(CircuitState to) {
      changes.add(to);
    }

    @Override
    public void decided(CircuitState to) {
      published.add(CircuitEvent.of("users", to, machine.msUntilProbe(), "n", "i", 0));
    }

    CircuitEvent lastPublished() {
      return published.get(published.size() - 1);
    }

    boolean hears(CircuitEvent event) {
      return machine.follow(event.state(), event.scope(), event.version(), event.probeInMs(), event.reason());
    }

    CircuitBreakerState state() {
      return machine.state().state();
    }
  }

  @Test
  void startsClosedAtVersionZero() {
    Instance a = new Instance(0);
    assertEquals(CLOSED, a.state());
    assertEquals(0, a.machine.state().version());
    assertFalse(a.machine.probeDue());
  }

  @Test
  void tripOpensAndPublishesWithTheFullResetTimeLeft() {
    Instance a = new Instance(5_000);
    assertTrue(a.machine.trip(CircuitScope.CLUSTER, "failure threshold reached"));
    assertEquals(OPEN, a.state());
    assertEquals(1, a.machine.state().version());
    assertEquals(RESET_MS, a.lastPublished().probeInMs(), "a duration, never a time of day");
    assertEquals("failure threshold reached", a.lastPublished().reason());
  }

  @Test
  void tripIsRefusedUnlessClosed() {
    Instance a = new Instance(0);
    a.machine.trip(CircuitScope.CLUSTER, "first");
    assertFalse(a.machine.trip(CircuitScope.CLUSTER, "second"));
    assertEquals(1, a.published.size(), "nothing published for a refused transition");
  }

  @Test
  void probeIsNotDueBeforeTheResetTimeoutAndIsDueAfter() {
    Instance a = new Instance(0);
    a.machine.trip(CircuitScope.CLUSTER, "threshold");
    a.clock.advance(RESET_MS - 1);
    assertFalse(a.machine.startProbe());
    assertEquals(1, a.machine.msUntilProbe());
    a.clock.advance(1);
    assertTrue(a.machine.startProbe());
    assertEquals(HALF_OPEN, a.state());
    assertEquals(2, a.machine.state().version());
  }

  @Test
  void successfulProbeClosesAndFailedProbeReopensWithAFreshResetTime() {
    Instance a = new Instance(0);
    a.machine.trip(CircuitScope.CLUSTER, "threshold");
    a.clock.advance(RESET_MS);
    a.machine.startProbe();
    assertTrue(a.machine.probeFailed("probe failed: 502"));
    assertEquals(OPEN, a.state());
    assertEquals(RESET_MS, a.machine.msUntilProbe());
    a.clock.advance(RESET_MS);
    a.machine.startProbe();
    assertTrue(a.machine.probeSucceeded());
    assertEquals(CLOSED, a.state());
    assertEquals(5, a.machine.state().version(), "trip, probe, reopen, probe, close");
  }

  @Test
  void probeOutcomesAreRefusedWhenNoProbeIsInFlight() {
    Instance a = new Instance(0);
    assertFalse(a.machine.probeSucceeded());
    a.machine.trip(CircuitScope.CLUSTER, "threshold");
    assertFalse(a.machine.probeFailed("late"));
    assertEquals(OPEN, a.state());
  }

  @Test
  void operatorOrdersApplyFromAnyStateAndAlwaysHaveClusterScope() {
    Instance a = new Instance(0);
    a.machine.trip(CircuitScope.NODE, "only this node fails");
    assertTrue(a.machine.forceOpen("admin open"));
    assertEquals(CircuitScope.CLUSTER, a.machine.state().scope());
    assertTrue(a.machine.forceClose("admin reset"));
    assertEquals(CLOSED, a.state());
    assertTrue(a.machine.forceClose("admin reset again"));
    assertEquals(4, a.machine.state().version());
  }

  @Test
  void aFollowerProbesWhenTheDeciderDoesEvenIfTheirClocksDisagreeByMinutes() {
    Instance a = new Instance(1_000);
    Instance b = new Instance(1_000 + 3_600_000); // another JVM: its clock reads an hour later
    a.clock.advance(12_345);
    a.machine.trip(CircuitScope.CLUSTER, "threshold");
    a.clock.advance(10_000);
    b.clock.advance(10_000);
    // The event was decided 10 s ago on A; it says "probe in 30 s" and reaches B now (transit
    // time is B's only error, and it errs on the late side).
    assertTrue(b.hears(a.published.get(0)));
    assertEquals(OPEN, b.state());
    assertEquals(RESET_MS, b.machine.msUntilProbe());
    b.clock.advance(RESET_MS - 1);
    assertFalse(b.machine.probeDue(), "B never probes early, whatever its clock says");
    b.clock.advance(1);
    assertTrue(b.machine.probeDue());
  }

  @Test
  void theHigherVersionWinsAndAnOlderEventIsIgnored() {
    Instance a = new Instance(0);
    Instance b = new Instance(0);
    a.machine.trip(CircuitScope.CLUSTER, "threshold");
    CircuitEvent opened = a.lastPublished();
    a.clock.advance(RESET_MS);
    a.machine.startProbe();
    a.machine.probeSucceeded();
    CircuitEvent closed = a.lastPublished();
    // Delivered out of order: the close (v3) first, then the open (v1) it superseded.
    assertTrue(b.hears(closed));
    assertFalse(b.hears(opened));
    assertEquals(CLOSED, b.state());
    assertEquals(3, b.machine.state().version());
  }

  @Test
  void twoInstancesThatTripAtOnceAgreeOnOpen() {
    Instance a = new Instance(0);
    Instance b = new Instance(0);
    a.machine.trip(CircuitScope.CLUSTER, "threshold on a");
    b.machine.trip(CircuitScope.CLUSTER, "threshold on b");
    assertFalse(a.hears(b.lastPublished()), "same version, same state: nothing to change");
    assertFalse(b.hears(a.lastPublished()));
    assertEquals(OPEN, a.state());
    assertEquals(OPEN, b.state());
  }

  @Test
  void atEqualVersionsTheCautiousStateWins() {
    Instance a = new Instance(0);
    Instance b = new Instance(0);
    a.machine.forceClose("admin reset");   // v1 CLOSED
    b.machine.trip(CircuitScope.CLUSTER, "threshold"); // v1 OPEN
    assertTrue(a.hears(b.lastPublished()));
    assertFalse(b.hears(a.lastPublished()));
    assertEquals(OPEN, a.state());
    assertEquals(OPEN, b.state());
  }

  @Test
  void followingTellsTheBreakerButPublishesNothing() {
    Instance a = new Instance(0);
    Instance b = new Instance(0);
    a.machine.trip(CircuitScope.CLUSTER, "threshold");
    b.hears(a.lastPublished());
    assertEquals(1, b.changes.size());
    assertTrue(b.published.isEmpty());
  }

  @Test
  void aHalfOpenLastWordIsOpenWithTheProbeDueForANewcomer() {
    Instance a = new Instance(0);
    a.machine.trip(CircuitScope.CLUSTER, "threshold");
    a.clock.advance(RESET_MS);
    a.machine.startProbe();
    Instance newcomer = new Instance(0);
    assertTrue(newcomer.hears(a.lastPublished().asLastWord()));
    assertEquals(OPEN, newcomer.state());
    assertTrue(newcomer.machine.probeDue(), "the prober may be gone; the probe lock decides who goes");
  }

  @Test
  void aFollowerOfAHalfOpenMayTryTheProbeLockInCaseTheProberDied() {
    Instance a = new Instance(0);
    Instance b = new Instance(0);
    a.machine.trip(CircuitScope.CLUSTER, "threshold");
    b.hears(a.lastPublished());
    assertFalse(b.machine.mayTryProbe());
    a.clock.advance(RESET_MS);
    a.machine.startProbe();
    b.hears(a.lastPublished());
    assertEquals(HALF_OPEN, b.state());
    assertTrue(b.machine.mayTryProbe(), "the lock decides: held by a live prober, or freed when it died");
    assertFalse(b.machine.startProbe(), "not before the map's last word, read under the lock");
    assertTrue(b.hears(a.lastPublished().asLastWord()));
    assertTrue(b.machine.startProbe());
    assertEquals(3, b.machine.state().version());
  }

  /** A probe that queued in the gateway (503 UPSTREAM_BUSY) proved nothing: open again, the next request probes. */
  @Test
  void aProbeWithoutAVerdictReopensWithTheNextProbeDueAtOnce() {
    Instance a = new Instance(5_000);
    assertTrue(a.machine.trip(CircuitScope.CLUSTER, "threshold"));
    a.clock.advance(RESET_MS);
    assertTrue(a.machine.startProbe());
    assertTrue(a.machine.probeAbandoned("busy"));
    assertEquals(OPEN, a.machine.state().state());
    assertEquals(3, a.machine.state().version(), "a transition like any other: the others follow it");
    assertEquals(0, a.machine.msUntilProbe());
    assertTrue(a.machine.probeDue());
    assertFalse(a.machine.probeSucceeded(), "no probe in flight any more");
  }
}
