package dev.sluice.gateway.upstream;

/**
 * Passive ejection: a target that fails {@code consecutiveFailures} attempts in a row is taken out
 * of its route for {@code ejectMs}, twice as long each time it is taken out again soon after
 * coming back; never more than {@code maxEjectedPercent} of a route's targets at once (but one of
 * two or more always may be).
 */
public record OutlierOptions(int consecutiveFailures, long ejectMs, int maxEjectedPercent) {
  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  public static final long DEFAULT_EJECT_MS = 30_000;
  public static final int DEFAULT_MAX_EJECTED_PERCENT = 50;
  public static final OutlierOptions DEFAULT = new OutlierOptions(DEFAULT_CONSECUTIVE_FAILURES, DEFAULT_EJECT_MS,
    DEFAULT_MAX_EJECTED_PERCENT);

  public OutlierOptions {
    if (consecutiveFailures < 1) {
      throw new IllegalArgumentException("consecutiveFailures must be > 0, got " + consecutiveFailures);
    }
    if (ejectMs < 1) {
      throw new IllegalArgumentException("ejectMs must be > 0, got " + ejectMs);
    }
    if (maxEjectedPercent < 0 || maxEjectedPercent > 100) {
      throw new IllegalArgumentException("maxEjectedPercent must be between 0 and 100, got " + maxEjectedPercent);
    }
  }

  /**
   * How many of {@code targets} may be ejected at once. At least one of two or more (Envoy's rule:
   * a small route would otherwise never eject anything); none of a route's only target, whose
   * failures are the circuit's business.
   */
  public int maxEjected(int targets) {
    if (targets < 2) {
      return 0;
    }
    return Math.max(1, targets * maxEjectedPercent / 100);
  }
}
