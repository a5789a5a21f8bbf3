package dev.sluice.gateway.retry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExponentialRetryPolicyTest {
  static RetryOptions options(long initial, double multiplier, long max, Jitter jitter) {
    return new RetryOptions(5, initial, multiplier, max, jitter, RetryOn.DEFAULT, Set.of("GET"));
  }

  @Test
  void withoutJitterTheDelayIsExactlyTheCappedExponential() {
    ExponentialRetryPolicy policy = ExponentialRetryPolicy.of(options(100, 2.0, 1000, Jitter.NONE));
    assertEquals(100, policy.delay(null, 1));
    assertEquals(200, policy.delay(null, 2));
    assertEquals(400, policy.delay(null, 3));
    assertEquals(800, policy.delay(null, 4));
    assertEquals(1000, policy.delay(null, 5));
    assertEquals(1000, policy.delay(null, 60));
  }

  @Test
  void aFractionalMultiplierGrowsTheDelayToo() {
    ExponentialRetryPolicy policy = ExponentialRetryPolicy.of(options(100, 1.5, 10_000, Jitter.NONE));
    assertEquals(150, policy.delay(null, 2));
    assertEquals(225, policy.delay(null, 3));
  }

  @Test
  void fullJitterSpansZeroToTheEnvelopeInclusive() {
    RetryOptions options = options(100, 2.0, 1000, Jitter.FULL);
    assertEquals(0, ExponentialRetryPolicy.of(options, () -> 0.0).delay(null, 3));
    assertEquals(400, ExponentialRetryPolicy.of(options, () -> 0.999_999_9).delay(null, 3));
  }

  @Test
  void equalJitterKeepsAtLeastHalfTheEnvelope() {
    RetryOptions options = options(100, 2.0, 1000, Jitter.EQUAL);
    assertEquals(200, ExponentialRetryPolicy.of(options, () -> 0.0).delay(null, 3));
    assertEquals(400, ExponentialRetryPolicy.of(options, () -> 0.999_999_9).delay(null, 3));
  }

  @ParameterizedTest
  @EnumSource(Jitter.class)
  void everyDelayStaysWithinItsBoundsAndTheEnvelopeIsMonotoneAndCapped(Jitter jitter) {
    Random random = new Random(42);
    ExponentialRetryPolicy policy = ExponentialRetryPolicy.of(options(50, 3.0, 2000, jitter), random::nextDouble);
    long previousEnvelope = 0;
    for (int n = 1; n <= 20; n++) {
      long envelope = policy.envelope(n);
      assertTrue(envelope >= previousEnvelope, "envelope must not shrink");
      assertTrue(envelope <= 2000, "envelope is capped at maxDelayMs");
      previousEnvelope = envelope;
      long lower = switch (jitter) {
        case NONE -> envelope;
        case FULL -> 0;
        case EQUAL -> envelope / 2;
      };
      for (int sample = 0; sample < 200; sample++) {
        long delay = policy.delay(null, n);
        assertTrue(delay >= lower && delay <= envelope, jitter + " delay " + delay + " outside [" + lower + ", " + envelope + "]");
      }
    }
  }

  @Test
  void anUpstreamRetryAfterReplacesTheDelayUpToTheCap() {
    ExponentialRetryPolicy policy = ExponentialRetryPolicy.of(options(100, 2.0, 1500, Jitter.NONE));
    RetryAfterHint oneSecond = () -> 1000;
    RetryAfterHint oneMinute = () -> 60_000;
    RetryAfterHint none = () -> -1;
    assertEquals(1000, policy.delay(new HintedFailure(oneSecond), 1));
    assertEquals(1500, policy.delay(new HintedFailure(oneMinute), 1));
    assertEquals(100, policy.delay(new HintedFailure(none), 1));
  }

  @Test
  void invalidArgumentsAreRefusedLikeTheBreakersOwnFactories() {
    assertThrows(IllegalArgumentException.class, () -> ExponentialRetryPolicy.of(options(0, 2.0, 100, Jitter.NONE)));
    assertThrows(IllegalArgumentException.class, () -> ExponentialRetryPolicy.of(options(100, 0.5, 100, Jitter.NONE)));
    assertThrows(IllegalArgumentException.class, () -> ExponentialRetryPolicy.of(options(100, 2.0, 50, Jitter.NONE)));
  }

  private static final class HintedFailure extends RuntimeException implements RetryAfterHint {
    private final RetryAfterHint hint;

    HintedFailure(RetryAfterHint hint) {
      this.hint = hint;
    }

    @Override
    public long retryAfterMs() {
      return hint.retryAfterMs();
    }
  }
}
