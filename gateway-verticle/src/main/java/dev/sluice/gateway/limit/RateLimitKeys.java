package dev.sluice.gateway.limit;

import java.util.Objects;

/** Redis keys of the limiter: a contract (DESIGN.md), operators look these up. */
public final class RateLimitKeys {
  public static final String PREFIX = "sluice:rl:";

  private RateLimitKeys() {
  }

  /**
   * {@code sluice:rl:{<route>:<client>}}. The braces are a Redis Cluster hash tag: the whole
   * window lives in one slot. Unambiguous as long as route names hold no ':' (clients may: IPv6),
   * which route-name validation has to guarantee.
   */
  public static String key(String route, String client) {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(client, "client");
    return PREFIX + "{" + route + ":" + client + "}";
  }
}
