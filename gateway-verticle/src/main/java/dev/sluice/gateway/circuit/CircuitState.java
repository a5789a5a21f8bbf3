package dev.sluice.gateway.circuit;

import io.vertx.circuitbreaker.CircuitBreakerState;

/**
 * One route's circuit as one instance knows it: an immutable value, replaced whole by each
 * transition.
 *
 * @param version   grows by one with every transition anywhere in the cluster; between two
 *                  histories (a split that healed, two messages that crossed) the higher wins
 * @param probeAtMs when a probe may go, on this instance's own monotonic clock (meaningful while OPEN);
 *                  never sent as such: the bus carries the time left ({@link CircuitEvent#probeInMs()})
 */
public record CircuitState(CircuitBreakerState state, CircuitScope scope, long version, long probeAtMs,
                           String reason) {
  public static final CircuitState INITIAL = new CircuitState(CircuitBreakerState.CLOSED, CircuitScope.CLUSTER, 0, 0, "");

  /**
   * Whether a state with {@code version} and {@code state} replaces this one. Equal versions (two
   * instances that decided at once) are ordered OPEN, then HALF_OPEN, then CLOSED: the cautious
   * view wins, and every instance applying this rule ends on the same state.
   */
  public boolean isSupersededBy(long otherVersion, CircuitBreakerState otherState) {
    if (otherVersion != version) {
      return otherVersion > version;
    }
    return rank(otherState) > rank(state);
  }

  private static int rank(CircuitBreakerState state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}
