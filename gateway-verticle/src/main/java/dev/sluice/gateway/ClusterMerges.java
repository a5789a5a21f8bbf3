package dev.sluice.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * "A split healed" on this node: Hazelcast merged this node back into the cluster (a frozen node
 * resumed, a network came back). Sent on {@link #ADDRESS}, local to the node (it never crosses
 * the cluster), by whoever owns the cluster manager; the holders of cluster state (circuits,
 * route tables) reconcile with the cluster's maps on it.
 */
public final class ClusterMerges {
  public static final String ADDRESS = "sluice.cluster.merged";

  private ClusterMerges() {
  }

  public static void announce(Vertx vertx) {
    vertx.eventBus().publish(ADDRESS, null, new DeliveryOptions().setLocalOnly(true));
  }

  public static MessageConsumer<Object> onMerged(Vertx vertx, Runnable action) {
    return vertx.eventBus().localConsumer(ADDRESS, m -> action.run());
  }
}
