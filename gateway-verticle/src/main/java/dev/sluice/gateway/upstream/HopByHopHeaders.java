package dev.sluice.gateway.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Headers that belong to one connection (RFC 9110 §7.6.1) and must not cross the proxy:
 * Connection and every name it lists, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade and
 * Proxy-*.
 */
public final class HopByHopHeaders {
  // Compared ignoring case, name by name: every header of every request and answer passes here,
  // and a lower-cased copy plus a hash per name cost more than a few length-checked comparisons.
  private static final List<String> ALWAYS = List.of(
    "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");
  private static final String PROXY_PREFIX = "proxy-";
  private static final CharSequence CONNECTION = HttpHeaders.createOptimized("Connection");

  private HopByHopHeaders() {
  }

  /** Copies {@code from} into {@code to}, leaving out hop-by-hop headers. */
  public static void copyEndToEnd(MultiMap from, MultiMap to) {
    copyEndToEnd(from, to, List.of());
  }

  /** Copies {@code from} into {@code to}, leaving out hop-by-hop headers and any name in {@code skip} (any case). */
  public static void copyEndToEnd(MultiMap from, MultiMap to, List<String> skip) {
    Set<String> listedInConnection = connectionTokens(from);
    // forEach, not the entry iterator: Vert.x's header map then walks its own entries without
    // wrapping each one, and this runs for every header of every request and answer.
    from.forEach((name, value) -> {
      if (!isHopByHop(name) && !isAnyOf(name, skip)
          && (listedInConnection.isEmpty() || !listedInConnection.contains(name.toLowerCase(Locale.ROOT)))) {
        to.add(name, value);
      }
    });
  }

  private static boolean isHopByHop(String name) {
    return isAnyOf(name, ALWAYS) || name.regionMatches(true, 0, PROXY_PREFIX, 0, PROXY_PREFIX.length());
  }

  private static boolean isAnyOf(String name, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      if (name.equalsIgnoreCase(names.get(i))) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> connectionTokens(MultiMap headers) {
    if (!headers.contains(CONNECTION)) {
      // The usual case, without the list getAll would make.
      return Set.of();
    }
    var values = headers.getAll(CONNECTION);
    var tokens = new java.util.HashSet<String>();
    for (String value : values) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
    }
    return tokens;
  }
}
