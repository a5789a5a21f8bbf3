package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.config.RateLimitPolicy;
import org.junit.jupiter.api.Test;

class RateLimitDecisionTest {

  @Test
  void resetSecondsRoundUp() {
    assertEquals(0, decision(0).resetSeconds());
    assertEquals(1, decision(1).resetSeconds());
    assertEquals(1, decision(1_000).resetSeconds());
    assertEquals(2, decision(1_001).resetSeconds());
  }

  @Test
  void retryAfterIsNeverZero() {
    assertEquals(1, decision(0).retryAfterSeconds());
    assertEquals(1, decision(999).retryAfterSeconds());
    assertEquals(60, decision(60_000).retryAfterSeconds());
  }

  @Test
  void allowedWithoutCountingReportsTheWholeBudget() {
    RateLimitDecision open = RateLimitDecision.allowedWithoutCounting(new RateLimitPolicy(100, 60_000));
    assertTrue(open.allowed());
    assertEquals(100, open.limit());
    assertEquals(100, open.remaining());
    assertEquals(0, open.resetSeconds());
  }

  @Test
  void negativeNumbersAreABug() {
    assertThrows(IllegalArgumentException.class, () -> new RateLimitDecision(true, 1, -1, 0));
    assertThrows(IllegalArgumentException.class, () -> decision(-1));
  }

  @Test
  void keysCarryAClusterHashTag() {
    assertEquals("sluice:rl:{users:10.0.0.1}", RateLimitKeys.key("users", "10.0.0.1"));
    assertEquals("sluice:rl:{users:::1}", RateLimitKeys.key("users", "::1"));
  }

  private static RateLimitDecision decision(long resetMs) {
    return new RateLimitDecision(false, 10, 0, resetMs);
  }
}
