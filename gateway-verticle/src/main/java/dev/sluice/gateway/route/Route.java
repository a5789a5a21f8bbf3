package dev.sluice.gateway.route;

import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import dev.sluice.gateway.retry.RetryPlan;

/** A route of the table, with what forwarding needs computed once instead of per request. */
public final class Route {
  private final RouteConfig config;
  private final RetryPlan retryPlan;

  public Route(RouteConfig config) {
    this.config = config;
    this.retryPlan = RetryPlan.of(config.policy().retry());
  }

  public String name() {
    return config.name();
  }

  public String prefix() {
    return config.prefix();
  }

  public RoutePolicy policy() {
    return config.policy();
  }

  public RetryPlan retryPlan() {
    return retryPlan;
  }

  public RouteConfig config() {
    return config;
  }

  /** True when {@code path} is the prefix itself or lies below it on a segment boundary. */
  boolean matches(String path) {
    String prefix = config.prefix();
    if ("/".equals(prefix)) {
      return true;
    }
    return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
  }

  /**
   * The path and query sent upstream for a normalised client path, before the target's own path
   * ({@code Target.uri}): empty when a stripped prefix leaves nothing, so that the target's path
   * stands alone ({@code http://a/v1} gets {@code /v1}, not {@code /v1/}).
   */
  public String forwardedPath(String normalizedPath, String rawQuery) {
    String path = normalizedPath;
    if (config.stripPrefix() && !"/".equals(config.prefix())) {
      path = normalizedPath.substring(config.prefix().length());
    }
    return rawQuery == null ? path : path + '?' + rawQuery;
  }
}
