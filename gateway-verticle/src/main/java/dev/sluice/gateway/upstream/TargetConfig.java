package dev.sluice.gateway.upstream;

import java.net.URI;
import java.util.Objects;

/**
 * One upstream target of a route as the config names it.
 *
 * @param url    absolute http(s) URL without trailing slash; its path is prepended to the forwarded path
 * @param weight this target's share of the route's traffic, relative to the others' (1 = an equal share)
 */
public record TargetConfig(URI url, int weight) {
  public static final int DEFAULT_WEIGHT = 1;
  /** Enough to express any split a person means; more would only let the smooth round-robin's sums grow. */
  public static final int MAX_WEIGHT = 1000;

  public TargetConfig {
    Objects.requireNonNull(url, "url");
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException("weight must be between 1 and " + MAX_WEIGHT + ", got " + weight);
    }
  }

  public TargetConfig(URI url) {
    this(url, DEFAULT_WEIGHT);
  }

  /** How logs, metrics, events and the admin name the target: its URL, so every node names it alike. */
  public String name() {
    return url.toString();
  }
}
