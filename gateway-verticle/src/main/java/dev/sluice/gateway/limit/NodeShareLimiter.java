package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * The {@code redis.onFailure: local} fallback: each limit divided by the number of live gateway
 * nodes, rounded down but at least 1, enforced by this node's in-process windows. While Redis is
 * away every node falls back alike, so the cluster as a whole admits at most the limit per window
 * (the minimum of 1 lets a limit smaller than the node count through once per node). The count is
 * read per request, so a node that joins or leaves changes every node's share at once; a window
 * keeps its timestamps, only the bound it is checked against moves.
 *
 * <p>The decision's {@code limit} is this node's share: {@code X-RateLimit-Limit} and
 * {@code X-RateLimit-Remaining} then say what this node enforces.
 */
public final class NodeShareLimiter implements RateLimiter {
  private final LocalSlidingWindowLimiter windows;
  private final IntSupplier liveNodes;

  /**
   * @param windows   the node's windows, shared by its verticle instances (so the share holds per
   *                  node, not per event loop); not closed by {@link #close()}
   * @param liveNodes gateway nodes in the cluster, this one included; must not block
   */
  public NodeShareLimiter(LocalSlidingWindowLimiter windows, IntSupplier liveNodes) {
    this.windows = Objects.requireNonNull(windows, "windows");
    this.liveNodes = Objects.requireNonNull(liveNodes, "liveNodes");
  }

  @Override
  public Future<RateLimitDecision> acquire(String route, String client, RateLimitPolicy policy) {
    return windows.acquire(route, client, share(policy));
  }

  /**
   * Counts a decision Redis made for this node against the node's share, so that a request that
   * falls back later in the window is judged against what this node already admitted: without
   * it, a node that switched mid-window admitted its whole share again on top of Redis's count.
   */
  public void mirror(String route, String client, RateLimitPolicy policy, RateLimitDecision redis) {
    int nodes = Math.max(1, liveNodes.getAsInt());
    // Of the room Redis said is left, this node may take its share on its own: rounded down, so
    // nodes that all fall back at once cannot take more than there was.
    windows.mirror(route, client, share(policy, nodes), redis, redis.remaining() / nodes);
  }

  private RateLimitPolicy share(RateLimitPolicy policy) {
    return share(policy, Math.max(1, liveNodes.getAsInt()));
  }

  private static RateLimitPolicy share(RateLimitPolicy policy, int nodes) {
    return nodes == 1 ? policy : new RateLimitPolicy(share(policy.limit(), nodes), policy.windowMs());
  }

  /** {@code limit / nodes}, rounded down, at least 1 (and 0 stays 0: such a route admits nothing anyway). */
  static int share(int limit, int nodes) {
    return limit <= 0 ? limit : Math.max(1, limit / Math.max(1, nodes));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
