package dev.sluice.gateway.upstream;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * nginx's smooth weighted round-robin: each pick adds every candidate's weight to its score,
 * takes the highest and subtracts the total from it. Weights 5:1:1 give a a b a c a a, not
 * a a a a a b c. A target that is out is simply not a candidate, and its share goes to the rest.
 */
final class RoundRobinBalancer implements Balancer {
  private final Map<Target, Integer> scores = new IdentityHashMap<>();

  @Override
  public Target pick(List<Target> candidates) {
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    int total = 0;
    Target best = null;
    int bestScore = Integer.MIN_VALUE;
    for (Target target : candidates) {
      int score = scores.getOrDefault(target, 0) + target.weight();
      scores.put(target, score);
      total += target.weight();
      if (score > bestScore) {
        best = target;
        bestScore = score;
      }
    }
    scores.put(best, bestScore - total);
    return best;
  }
}
