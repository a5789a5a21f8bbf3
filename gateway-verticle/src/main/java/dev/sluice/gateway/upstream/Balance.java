package dev.sluice.gateway.upstream;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How a route spreads its attempts over its targets. */
public enum Balance {
  /** Weighted, in turn (nginx's smooth weighted round-robin: no bursts to the heaviest target). */
  ROUND_ROBIN("round-robin"),
  /** Of two targets drawn by weight, the one with fewer requests in flight per unit of weight. */
  LEAST_REQUESTS("least-requests");

  public static final Balance DEFAULT = LEAST_REQUESTS;

  private final String text;

  Balance(String text) {
    this.text = text;
  }

  /** As written in the config: {@code round-robin}, {@code least-requests}. */
  public String text() {
    return text;
  }

  public static Optional<Balance> parse(String text) {
    String wanted = text.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(b -> b.text.equals(wanted)).findFirst();
  }
}
