package dev.sluice.gateway.config;

import dev.sluice.gateway.upstream.TargetConfig;

import java.net.URI;
import java.util.List;

/**
 * One entry of the route table, with {@code defaults} already merged into {@code policy}.
 *
 * @param targets one or more upstream targets, distinct by URL; each one's path (if any) is prepended to the
 *                forwarded path
 * @param tls     how the route's {@code https://} targets are verified
 * @param h2      HTTP/2 to the route's targets: by ALPN over TLS, by prior knowledge in cleartext
 */
public record RouteConfig(String name, String prefix, List<TargetConfig> targets, boolean stripPrefix,
                          RoutePolicy policy, UpstreamTls tls, boolean h2) {
  public RouteConfig {
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a route needs at least one target");
    }
    java.util.Objects.requireNonNull(tls, "tls");
  }

  /** A route spoken to in HTTP/1.1 whose https:// targets, if any, are verified against the JVM's trust store. */
  public RouteConfig(String name, String prefix, List<TargetConfig> targets, boolean stripPrefix, RoutePolicy policy) {
    this(name, prefix, targets, stripPrefix, policy, UpstreamTls.DEFAULT, false);
  }

  /** A route with one upstream. */
  public RouteConfig(String name, String prefix, URI upstream, boolean stripPrefix, RoutePolicy policy) {
    this(name, prefix, List.of(new TargetConfig(upstream)), stripPrefix, policy);
  }

  /** The first target's URL: the route's only one, unless it lists several. */
  public URI upstream() {
    return targets.get(0).url();
  }
}
