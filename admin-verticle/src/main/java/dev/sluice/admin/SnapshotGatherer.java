package dev.sluice.admin;

import dev.sluice.gateway.circuit.CircuitBus;
import dev.sluice.gateway.circuit.InstanceSnapshot;
import io.vertx.core.Future;

import java.util.List;

/** Every gateway instance's view within {@link #BOUND_MS}, for the admin endpoints that show them. */
final class SnapshotGatherer {
  static final long BOUND_MS = 300;

  private final CircuitBus bus;

  SnapshotGatherer(CircuitBus bus) {
    this.bus = bus;
  }

  Future<List<InstanceSnapshot>> gather() {
    return bus.gatherSnapshots(BOUND_MS);
  }
}
