package dev.sluice.gateway.cache;

import io.vertx.core.MultiMap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What an entry is filed under: a SHA-256 of the route, the normalised path, the raw query and the
 * values of the route's {@code vary} headers. HEAD shares GET's key: it is answered from a GET's
 * entry. The path is kept beside the digest so that a purge by prefix can find its entries.
 */
public record CacheKey(String route, String path, String digest) {
  private static final String ENTRY_PREFIX = "sluice:cache:";
  private static final String LOCK_PREFIX = "sluice:cache:lock:";

  public static CacheKey of(String route, String normalizedPath, String rawQuery, MultiMap requestHeaders,
                            List<String> vary) {
    StringBuilder text = new StringBuilder(128).append(route).append('\n').append("GET").append('\n')
      .append(normalizedPath).append('\n').append(rawQuery == null ? "" : rawQuery);
    for (String header : vary) {
      // Every value, in order, with its count: "a, b" and two headers "a" and "b" are kept apart.
      List<String> values = requestHeaders.getAll(header);
      text.append('\n').append(header).append(':').append(values.size());
      values.forEach(v -> text.append('\u0000').append(v.trim()));
    }
    return new CacheKey(route, normalizedPath, sha256(text.toString()));
  }

  /** {@code sluice:cache:{<route>}:<sha256>}: the hash tag keeps a route's entries in one Redis Cluster slot. */
  public String entryKey() {
    return ENTRY_PREFIX + "{" + route + "}:" + digest;
  }

  /** {@code sluice:cache:lock:{<route>}:<sha256>}: who is filling this entry. */
  public String lockKey() {
    return LOCK_PREFIX + "{" + route + "}:" + digest;
  }

  /** The SCAN pattern of a route's entries (its locks do not match it). */
  public static String entryPattern(String route) {
    return ENTRY_PREFIX + "{" + route + "}:*";
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
