package dev.sluice.admin;

import dev.sluice.gateway.Gathering;
import dev.sluice.gateway.circuit.CircuitBus;
import dev.sluice.gateway.circuit.InstanceSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Every gateway instance's view within {@link #BOUND_MS}, for the admin endpoints that show them. */
final class SnapshotGatherer {
  static final long BOUND_MS = 300;

  private final Vertx vertx;
  private final CircuitBus bus;

  SnapshotGatherer(Vertx vertx, CircuitBus bus) {
    this.vertx = vertx;
    this.bus = bus;
  }

  Future<List<InstanceSnapshot>> gather() {
    return bus.gatherSnapshots(BOUND_MS);
  }

  /** Every instance's answer to {@code address} (e.g. {@code sluice.targets.snapshot}), as JSON. */
  Future<List<JsonObject>> gather(String address) {
    return Gathering.gather(vertx, address, BOUND_MS);
  }
}
