package dev.sluice.gateway.load;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one node is carrying right now, counted across all its gateway instances (so the limits
 * hold per node, whatever {@code --instances} is): client connections open, and per route the
 * requests waiting for their upstream's answer. Owned by the node's
 * {@link dev.sluice.gateway.GatewayNode}; thread-safe, lock-free, no timers.
 */
public final class NodeLoad {
  private final AtomicInteger connections = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  /**
   * Counts a new connection in if there is room under {@code max} (0 = no limit); a connection
   * counted in must be {@link #connectionClosed() counted out} when it closes.
   *
   * @return false when the node already holds {@code max}: the connection is not counted
   */
  public boolean connectionOpened(int max) {
    return tryEnter(connections, max);
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }

  public int connections() {
    return connections.get();
  }

  /**
   * Counts one more request of {@code route} in flight if there is room under {@code max}.
   *
   * @return false when the route already has {@code max} in flight on this node: nothing is counted
   */
  public boolean requestStarted(String route, int max) {
    return tryEnter(inFlight.computeIfAbsent(route, r -> new AtomicInteger()), max);
  }

  /** Ends what {@link #requestStarted} counted. */
  public void requestFinished(String route) {
    AtomicInteger count = inFlight.get(route);
    if (count != null) {
      count.decrementAndGet();
    }
  }

  public int inFlight(String route) {
    AtomicInteger count = inFlight.get(route);
    return count == null ? 0 : count.get();
  }

  /** Increment-then-check: two instances racing for the last slot cannot both take it. */
  private static boolean tryEnter(AtomicInteger count, int max) {
    if (max <= 0) {
      count.incrementAndGet();
      return true;
    }
    if (count.incrementAndGet() > max) {
      count.decrementAndGet();
      return false;
    }
    return true;
  }
}
