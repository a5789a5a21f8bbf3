package dev.sluice.gateway.circuit;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * Answers {@link CircuitBus#SNAPSHOT_ADDRESS} with this instance's {@link InstanceSnapshot}. Every
 * instance registers, so a plain request reaches one of them; {@link CircuitBus#gatherSnapshots}
 * collects them all.
 */
public final class SnapshotResponder {
  private final CircuitSync sync;
  private final Supplier<RouteCircuits> circuits;
  private final Supplier<JsonObject> limiter;
  private MessageConsumer<JsonObject> consumer;

  public SnapshotResponder(CircuitSync sync, Supplier<RouteCircuits> circuits, Supplier<JsonObject> limiter) {
    this.sync = sync;
    this.circuits = circuits;
    this.limiter = limiter;
  }

  public Future<Void> start() {
    consumer = sync.bus().answerSnapshots(this::snapshot);
    return consumer.completion();
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  public InstanceSnapshot snapshot() {
    return new InstanceSnapshot(sync.node(), sync.instance(),
      circuits.get().all().stream().map(RouteSnapshot::of).toList(), limiter.get());
  }
}
