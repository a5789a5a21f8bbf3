package dev.sluice.gateway.circuit;

import dev.sluice.gateway.ClusterMerges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * Answers {@link CircuitBus#SNAPSHOT_ADDRESS} with this instance's {@link InstanceSnapshot}. Every
 * instance registers, so a plain request reaches one of them; {@link CircuitBus#gatherSnapshots}
 * collects them all.
 */
public final class SnapshotResponder {
  private final Vertx vertx;
  private final CircuitSync sync;
  private final Supplier<RouteCircuits> circuits;
  private final Supplier<JsonObject> limiter;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<Object> merges;

  public SnapshotResponder(Vertx vertx, CircuitSync sync, Supplier<RouteCircuits> circuits, Supplier<JsonObject> limiter) {
    this.vertx = vertx;
    this.sync = sync;
    this.circuits = circuits;
    this.limiter = limiter;
  }

  public Future<Void> start() {
    // Registered again after a merge, like CircuitSync's consumers: the admin of the other side
    // must find this instance again.
    merges = ClusterMerges.onMerged(vertx, () -> consumer.unregister().onComplete(v -> consumer = register()));
    consumer = register();
    return Future.all(merges.completion(), consumer.completion()).mapEmpty();
  }

  private MessageConsumer<JsonObject> register() {
    return sync.bus().answerSnapshots(this::snapshot);
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : Future.join(merges.unregister(), consumer.unregister()).mapEmpty();
  }

  public InstanceSnapshot snapshot() {
    return new InstanceSnapshot(sync.node(), sync.instance(),
      circuits.get().all().stream().map(RouteSnapshot::of).toList(), limiter.get());
  }
}
