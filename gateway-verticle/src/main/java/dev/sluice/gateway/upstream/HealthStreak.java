package dev.sluice.gateway.upstream;

/**
 * The checks of one target in a row, and when they change its standing: {@code unhealthyAfter}
 * failures take an in target out; {@code healthyAfter} passes take an out one (unhealthy, or
 * ejected by its traffic) back. Only passes since the target's latest ejection count, so a check
 * that passed just before real traffic ejected it cannot end the ejection at once.
 */
final class HealthStreak {
  enum Verdict { NONE, HEALTHY, UNHEALTHY }

  private final HealthOptions health;
  private int passes;
  private int fails;
  private int ejectionsSeen;

  HealthStreak(HealthOptions health) {
    this.health = health;
  }

  /**
   * @param out        the target is ejected or unhealthy now
   * @param unhealthy  it is held out by an earlier UNHEALTHY verdict
   * @param ejections  its ejection count, which grows with each ejection
   */
  Verdict record(boolean passed, boolean out, boolean unhealthy, int ejections) {
    if (ejections != ejectionsSeen) {
      ejectionsSeen = ejections;
      passes = 0;
    }
    if (passed) {
      fails = 0;
      passes++;
      return out && passes >= health.healthyAfter() ? Verdict.HEALTHY : Verdict.NONE;
    }
    passes = 0;
    fails++;
    return !unhealthy && fails >= health.unhealthyAfter() ? Verdict.UNHEALTHY : Verdict.NONE;
  }

  int passes() {
    return passes;
  }

  int fails() {
    return fails;
  }
}
