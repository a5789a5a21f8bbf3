package dev.sluice.gateway.route;

import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import dev.sluice.gateway.retry.RetryPlan;

import java.net.URI;

/** A route of the table, with what forwarding needs computed once instead of per request. */
public final class Route {
  private final RouteConfig config;
  private final String upstreamHost;
  private final int upstreamPort;
  private final boolean upstreamTls;
  private final String upstreamBasePath;
  private final RetryPlan retryPlan;

  public Route(RouteConfig config) {
    this.config = config;
    this.retryPlan = RetryPlan.of(config.policy().retry());
    URI upstream = config.upstream();
    this.upstreamTls = "https".equalsIgnoreCase(upstream.getScheme());
    this.upstreamHost = upstream.getHost();
    this.upstreamPort = upstream.getPort() != -1 ? upstream.getPort() : (upstreamTls ? 443 : 80);
    String base = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    this.upstreamBasePath = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
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

  public String upstreamHost() {
    return upstreamHost;
  }

  public int upstreamPort() {
    return upstreamPort;
  }

  public boolean upstreamTls() {
    return upstreamTls;
  }

  /** True when {@code path} is the prefix itself or lies below it on a segment boundary. */
  boolean matches(String path) {
    String prefix = config.prefix();
    if ("/".equals(prefix)) {
      return true;
    }
    return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
  }

  /** The path and query sent upstream for a normalised client path. */
  public String upstreamUri(String normalizedPath, String rawQuery) {
    String path = normalizedPath;
    if (config.stripPrefix() && !"/".equals(config.prefix())) {
      path = normalizedPath.substring(config.prefix().length());
    }
    String joined = upstreamBasePath + path;
    if (joined.isEmpty()) {
      joined = "/";
    }
    return rawQuery == null ? joined : joined + '?' + rawQuery;
  }
}
