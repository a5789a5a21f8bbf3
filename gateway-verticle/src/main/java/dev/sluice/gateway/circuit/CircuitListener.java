package dev.sluice.gateway.circuit;

import io.vertx.circuitbreaker.CircuitBreakerState;

/** Hears the transitions a route's circuit makes on this instance (not the ones it was told about). */
public interface CircuitListener {
  CircuitListener NONE = new CircuitListener() {
    @Override
    public void transitioned(RouteCircuit circuit, CircuitBreakerState to, String reason) {
    }

    @Override
    public void failed(RouteCircuit circuit) {
    }
  };

  void transitioned(RouteCircuit circuit, CircuitBreakerState to, String reason);

  /** One failed attempt on this instance; the cluster sync batches these. */
  void failed(RouteCircuit circuit);
}
