package dev.sluice.gateway.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The local tiers of one node, one per cached route, shared by the node's gateway instances (so
 * that a hit on one event loop serves the others, and the bounds hold per node).
 */
public final class NodeCaches {
  private final ConcurrentMap<String, LocalTier> tiers = new ConcurrentHashMap<>();

  /** The route's tier; a route whose bounds changed on a reload starts a new, empty one. */
  public LocalTier tier(String route, CacheOptions options) {
    LocalTier current = tiers.get(route);
    if (current != null && current.sameBounds(options)) {
      return current; // the request path: a read, no lock
    }
    return tiers.compute(route, (name, tier) -> tier != null && tier.sameBounds(options) ? tier
      : new LocalTier(options.localMaxEntries(), options.localMaxBytes(), System::nanoTime));
  }

  public void purge(String route, String prefix) {
    LocalTier tier = tiers.get(route);
    if (tier != null) {
      tier.purge(prefix);
    }
  }

  /** Body and header bytes held in every local tier of the node. */
  public long bytes() {
    return tiers.values().stream().mapToLong(LocalTier::bytes).sum();
  }
}
