package dev.sluice.gateway.limit;

/**
 * A window's member stands for one slot ({@code <grant id>}) or for several
 * ({@code <grant id>*<weight>}), so a client granted many slots at once holds one member per
 * grant, not one per request. The same rule is written in the Lua scripts, which sum weights
 * where a plain window would count members.
 */
final class WeightedMember {
  static final char WEIGHT_SEPARATOR = '*';

  private WeightedMember() {
  }

  /** The member for {@code weight} slots of grant {@code grantId}; "" for none (nothing to store). */
  static String name(String grantId, int weight) {
    if (weight <= 0) {
      return "";
    }
    return weight == 1 ? grantId : grantId + WEIGHT_SEPARATOR + weight;
  }
}
