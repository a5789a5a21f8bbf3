package dev.sluice.gateway.upstream;

import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The power of two choices: draw two distinct targets, each in proportion to its weight, and
 * send to the one with fewer requests in flight per unit of weight (the first drawn on a tie).
 * Nearly as good as asking every target, at the cost of two draws, and without the herd that
 * "always the least loaded" makes when every instance sees the same counts.
 */
final class LeastRequestsBalancer implements Balancer {
  private final IntUnaryOperator random;

  LeastRequestsBalancer(IntUnaryOperator random) {
    this.random = random;
  }

  @Override
  public Target pick(List<Target> candidates) {
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    int total = 0;
    for (Target target : candidates) {
      total += target.weight();
    }
    int first = draw(candidates, total, -1);
    int second = draw(candidates, total - candidates.get(first).weight(), first);
    Target a = candidates.get(first);
    Target b = candidates.get(second);
    // in-flight / weight compared without division
    long loadA = (long) a.state().inFlight() * b.weight();
    long loadB = (long) b.state().inFlight() * a.weight();
    return loadB < loadA ? b : a;
  }

  /** The index of a target drawn by weight, {@code skip} excluded ({@code total} is without it). */
  private int draw(List<Target> candidates, int total, int skip) {
    int point = random.applyAsInt(total);
    for (int i = 0; i < candidates.size(); i++) {
      if (i == skip) {
        continue;
      }
      point -= candidates.get(i).weight();
      if (point < 0) {
        return i;
      }
    }
    throw new IllegalStateException("weights changed during a draw");
  }
}
