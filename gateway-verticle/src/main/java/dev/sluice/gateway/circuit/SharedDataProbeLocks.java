package dev.sluice.gateway.circuit;

import io.vertx.core.Future;

/**
 * The probe lock of the {@link CircuitBus}, for an instance's circuits. Before the winner probes,
 * it takes the cluster map's last word: the previous holder wrote its verdict there before it let
 * go, and the winner must not probe a circuit that verdict already closed (or reopened).
 */
public final class SharedDataProbeLocks implements ProbeLocks {
  private final CircuitSync sync;

  public SharedDataProbeLocks(CircuitSync sync) {
    this.sync = sync;
  }

  @Override
  public Future<Runnable> tryAcquire(String route) {
    return sync.bus().tryProbeLock(route)
      .compose(release -> sync.circuits().find(route)
        .map(sync::catchUp)
        .orElse(Future.succeededFuture())
        .transform(ar -> Future.succeededFuture(release)));
  }
}
