package dev.sluice.app;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * How many gateway nodes the cluster has now, for the limiter's {@code local} fallback (each
 * node enforces its share of a limit while Redis is away). Kept up to date by membership events,
 * so the request path reads a number and never asks the cluster.
 *
 * <p>A Hazelcast {@link MembershipListener} rather than Vert.x's {@code ClusterManager.nodeListener}:
 * the cluster manager holds one node listener, the one Vert.x itself sets to clean up a departed
 * node's event-bus subscriptions, and a second call would replace it.
 */
final class ClusterMembers implements MembershipListener, IntSupplier {
  private final Cluster cluster;
  private final AtomicInteger count = new AtomicInteger(1);

  private ClusterMembers(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Call once the node has joined; blocks for nothing (the member list is Hazelcast's local view). */
  static ClusterMembers watch(Cluster cluster) {
    ClusterMembers members = new ClusterMembers(cluster);
    cluster.addMembershipListener(members);
    members.refresh(); // after registering: a change between the two is then seen by one or the other
    return members;
  }

  @Override
  public int getAsInt() {
    return count.get();
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    refresh();
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    refresh();
  }

  /** Serialised, so the last write is the newest view even if two events race. */
  private synchronized void refresh() {
    count.set(Math.max(1, cluster.getMembers().size()));
  }
}
