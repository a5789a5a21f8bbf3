package dev.sluice.gateway.proxy;

import io.vertx.core.http.HttpHeaders;

/** What a route's cache did with a request: the {@code X-Cache} header and the metric's {@code result} label. */
public enum CacheResult {
  /** Answered from a fresh entry (this node's tier or Redis). */
  HIT,
  /** Went upstream; the answer was stored if it could be. */
  MISS,
  /** Answered from an entry past its freshness: the upstream failed, or a refresh runs meanwhile. */
  STALE,
  /** The cache was not used: a method or request it does not serve, or Redis unreachable. */
  BYPASS,
  /** A stale entry the upstream confirmed with a 304. */
  REVALIDATED;

  static final CharSequence HEADER = HttpHeaders.createOptimized("X-Cache");

  private final CharSequence header = HttpHeaders.createOptimized(name());

  CharSequence header() {
    return header;
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
