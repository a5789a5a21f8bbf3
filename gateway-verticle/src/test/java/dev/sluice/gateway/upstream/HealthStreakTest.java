package dev.sluice.gateway.upstream;

import org.junit.jupiter.api.Test;

import static dev.sluice.gateway.upstream.HealthStreak.Verdict.HEALTHY;
import static dev.sluice.gateway.upstream.HealthStreak.Verdict.NONE;
import static dev.sluice.gateway.upstream.HealthStreak.Verdict.UNHEALTHY;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HealthStreakTest {
  private final HealthStreak streak = new HealthStreak(new HealthOptions(true, "/health", 1000, 100, 3, 2));

  @Test
  void unhealthyAfterFailuresInARowAndHealthyAfterPassesInARow() {
    assertEquals(NONE, streak.record(false, false, false, 0));
    assertEquals(NONE, streak.record(false, false, false, 0));
    assertEquals(NONE, streak.record(true, false, false, 0), "a pass breaks the row");
    assertEquals(NONE, streak.record(false, false, false, 0));
    assertEquals(NONE, streak.record(false, false, false, 0));
    assertEquals(UNHEALTHY, streak.record(false, false, false, 0));
    assertEquals(NONE, streak.record(false, true, true, 0), "already unhealthy: nothing new to say");
    assertEquals(NONE, streak.record(true, true, true, 0));
    assertEquals(HEALTHY, streak.record(true, true, true, 0));
    assertEquals(NONE, streak.record(true, false, false, 0), "in, and passing: nothing to say");
  }

  @Test
  void passesTakeBackAnEjectedTargetButOnlyPassesSinceTheEjection() {
    assertEquals(NONE, streak.record(true, false, false, 0));
    assertEquals(NONE, streak.record(true, false, false, 0));
    assertEquals(NONE, streak.record(true, true, false, 1), "ejected just now: the passes before do not count");
    assertEquals(HEALTHY, streak.record(true, true, false, 1));
  }
}
