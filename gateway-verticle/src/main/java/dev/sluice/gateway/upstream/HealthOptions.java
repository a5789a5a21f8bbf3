package dev.sluice.gateway.upstream;

import java.util.Objects;

/**
 * Active health checks: every {@code intervalMs} one checker in the cluster sends
 * {@code GET path} to each target of the route; a 2xx within {@code timeoutMs} passes. After
 * {@code unhealthyAfter} failed checks in a row the target is out, after {@code healthyAfter}
 * passed ones it is back (an ejection included).
 */
public record HealthOptions(boolean enabled, String path, long intervalMs, long timeoutMs, int unhealthyAfter,
                            int healthyAfter) {
  public static final String DEFAULT_PATH = "/health";
  public static final long DEFAULT_INTERVAL_MS = 5000;
  public static final long DEFAULT_TIMEOUT_MS = 1000;
  public static final int DEFAULT_UNHEALTHY_AFTER = 3;
  public static final int DEFAULT_HEALTHY_AFTER = 2;
  /** What {@code health: {}} means: checks on, every knob at its default. */
  public static final HealthOptions DEFAULT = new HealthOptions(true, DEFAULT_PATH, DEFAULT_INTERVAL_MS,
    DEFAULT_TIMEOUT_MS, DEFAULT_UNHEALTHY_AFTER, DEFAULT_HEALTHY_AFTER);
  /** No active checks (the default of a route): only passive ejection judges its targets. */
  public static final HealthOptions OFF = new HealthOptions(false, DEFAULT_PATH, DEFAULT_INTERVAL_MS,
    DEFAULT_TIMEOUT_MS, DEFAULT_UNHEALTHY_AFTER, DEFAULT_HEALTHY_AFTER);

  public HealthOptions {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with /, got " + path);
    }
    if (intervalMs < 1 || timeoutMs < 1 || unhealthyAfter < 1 || healthyAfter < 1) {
      throw new IllegalArgumentException("intervalMs, timeoutMs, unhealthyAfter and healthyAfter must be > 0");
    }
  }

  public HealthOptions enabled(boolean on) {
    return new HealthOptions(on, path, intervalMs, timeoutMs, unhealthyAfter, healthyAfter);
  }
}
