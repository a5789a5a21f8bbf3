package dev.sluice.gateway.proxy;

import dev.sluice.gateway.cache.Found;
import dev.sluice.gateway.upstream.UpstreamResponse;

/**
 * The answer to write: the upstream's (its head, and its body still on the wire), or a cache
 * entry's, written whole.
 */
public record ProxyReply(UpstreamResponse upstream, Found cached) {
  public ProxyReply(UpstreamResponse upstream) {
    this(upstream, null);
  }

  static ProxyReply fromCache(Found found) {
    return new ProxyReply(null, found);
  }
}
