package dev.sluice.gateway.upstream;

import java.util.List;
import java.util.function.IntUnaryOperator;

/** Picks the target of one attempt among the route's available ones. One per route per instance. */
public interface Balancer {
  /** @param candidates not empty; the route's order, so a balancer may keep per-position state */
  Target pick(List<Target> candidates);

  /**
   * @param random {@code bound -> uniform int in [0, bound)}; injectable so tests need no luck
   */
  static Balancer of(Balance balance, IntUnaryOperator random) {
    return switch (balance) {
      case ROUND_ROBIN -> new RoundRobinBalancer();
      case LEAST_REQUESTS -> new LeastRequestsBalancer(random);
    };
  }
}
