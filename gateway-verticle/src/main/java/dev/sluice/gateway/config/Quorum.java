package dev.sluice.gateway.config;

/**
 * {@code circuit.quorum}: how many of the nodes that called a route in the failure window must
 * have failed for the route to open cluster-wide. {@link #MAJORITY} (the default) is more than
 * half of them, so a single node is its own majority; a number N asks for N nodes (1 = any node).
 *
 * @param nodes the number asked for, or 0 for a majority
 */
public record Quorum(int nodes) {
  public static final Quorum MAJORITY = new Quorum(0);

  public Quorum {
    if (nodes < 0) {
      throw new IllegalArgumentException("quorum nodes must be >= 0, got " + nodes);
    }
  }

  public boolean isMajority() {
    return nodes == 0;
  }

  /** How many failing nodes open the route cluster-wide, when {@code callers} nodes called it. */
  public int required(int callers) {
    return isMajority() ? callers / 2 + 1 : nodes;
  }

  /** As written in the config: {@code majority} or the number. */
  public Object toConfig() {
    return isMajority() ? "majority" : nodes;
  }
}
