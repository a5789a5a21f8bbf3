package dev.sluice.gateway.circuit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The probe lock {@code sluice.probe.<route>}, a SharedData lock: Hazelcast-wide when clustered.
 * Asking waits only {@link #WAIT_MS}: a request that does not win answers 503 at once. A holder
 * that dies (kill -9) loses its lock when Hazelcast removes the member.
 */
public final class SharedDataProbeLocks implements ProbeLocks {
  public static final String PREFIX = "sluice.probe.";
  static final long WAIT_MS = 20;

  private final Vertx vertx;
  private final CircuitSync sync;

  public SharedDataProbeLocks(Vertx vertx, CircuitSync sync) {
    this.vertx = vertx;
    this.sync = sync;
  }

  @Override
  public Future<Runnable> tryAcquire(String route) {
    return vertx.sharedData().getLockWithTimeout(PREFIX + route, WAIT_MS)
      // The previous holder wrote its verdict to the map before releasing: read it before probing again.
      .compose(lock -> sync.circuits().find(route)
        .map(circuit -> sync.catchUp(circuit, false))
        .orElse(Future.succeededFuture())
        .transform(ar -> Future.succeededFuture((Runnable) lock::release)));
  }
}
