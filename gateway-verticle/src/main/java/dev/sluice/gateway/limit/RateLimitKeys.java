package dev.sluice.gateway.limit;

import java.util.Objects;

/** Redis keys of the limiter: a contract (docs/architecture.md, "Redis keys"), operators look these up. */
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

  /** A window key's parts. */
  public record Parsed(String route, String client) {
  }

  /**
   * The route and client of {@code sluice:rl:{<route>:<client>}}; null for any other key. The route
   * ends at the first ':' inside the braces (route names hold none; clients may: IPv6).
   */
  public static Parsed parse(String key) {
    if (key == null || !key.startsWith(PREFIX + "{") || !key.endsWith("}")) {
      return null;
    }
    String inner = key.substring(PREFIX.length() + 1, key.length() - 1);
    int colon = inner.indexOf(':');
    return colon <= 0 || colon == inner.length() - 1 ? null : new Parsed(inner.substring(0, colon), inner.substring(colon + 1));
  }
}
