package dev.sluice.gateway.upstream;

import io.vertx.core.MultiMap;

import java.util.Locale;
import java.util.Set;

/**
 * Headers that belong to one connection (RFC 9110 §7.6.1) and must not cross the proxy:
 * Connection and every name it lists, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade and
 * Proxy-*.
 */
public final class HopByHopHeaders {
  private static final Set<String> ALWAYS = Set.of(
    "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

  private HopByHopHeaders() {
  }

  /** Copies {@code from} into {@code to}, leaving out hop-by-hop headers and any name in {@code skip} (lower case). */
  public static void copyEndToEnd(MultiMap from, MultiMap to, Set<String> skip) {
    Set<String> listedInConnection = connectionTokens(from);
    for (var entry : from) {
      String lower = entry.getKey().toLowerCase(Locale.ROOT);
      if (!isHopByHop(lower) && !listedInConnection.contains(lower) && !skip.contains(lower)) {
        to.add(entry.getKey(), entry.getValue());
      }
    }
  }

  private static boolean isHopByHop(String lowerName) {
    return ALWAYS.contains(lowerName) || lowerName.startsWith("proxy-");
  }

  private static Set<String> connectionTokens(MultiMap headers) {
    var values = headers.getAll("Connection");
    if (values.isEmpty()) {
      return Set.of();
    }
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
