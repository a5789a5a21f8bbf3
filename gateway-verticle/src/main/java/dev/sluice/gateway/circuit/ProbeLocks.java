package dev.sluice.gateway.circuit;

import io.vertx.core.Future;

/** Picks the one instance in the cluster that sends a half-open route's probe. */
public interface ProbeLocks {
  /** @return a release action when this instance won, or a failed future when another holds it */
  Future<Runnable> tryAcquire(String route);
}
