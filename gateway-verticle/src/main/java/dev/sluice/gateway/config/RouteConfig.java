package dev.sluice.gateway.config;

import dev.sluice.gateway.auth.RouteAuth;
import dev.sluice.gateway.cache.CacheOptions;
import dev.sluice.gateway.upstream.TargetConfig;

import java.net.URI;
import java.util.List;

/**
 * One entry of the route table, with {@code defaults} already merged into {@code policy}.
 *
 * @param targets one or more upstream targets, distinct by URL; each one's path (if any) is prepended to the
 *                forwarded path
 * @param auth    who may call the route ({@link RouteAuth#NONE}: anyone); a route's own, not a default
 * @param cache   the route's response cache, {@link CacheOptions#OFF} unless the route sets one
 * @param tls     how the route's {@code https://} targets are verified
 * @param h2      HTTP/2 to the route's targets: by ALPN over TLS, by prior knowledge in cleartext
 */
public record RouteConfig(String name, String prefix, List<TargetConfig> targets, boolean stripPrefix,
                          RoutePolicy policy, RouteAuth auth, CacheOptions cache, UpstreamTls tls, boolean h2) {
  public RouteConfig {
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a route needs at least one target");
    }
    auth = auth == null ? RouteAuth.NONE : auth;
    cache = cache == null ? CacheOptions.OFF : cache;
    tls = tls == null ? UpstreamTls.DEFAULT : tls;
  }

  /** A route anyone may call, without a cache, spoken to in HTTP/1.1 and verified against the JVM's trust store. */
  public RouteConfig(String name, String prefix, List<TargetConfig> targets, boolean stripPrefix, RoutePolicy policy) {
    this(name, prefix, targets, stripPrefix, policy, RouteAuth.NONE, CacheOptions.OFF, UpstreamTls.DEFAULT, false);
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
