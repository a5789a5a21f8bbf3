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

  /** {@code first}, then a plain observer of transitions (metrics). */
  static CircuitListener both(CircuitListener first, java.util.function.BiConsumer<String, CircuitBreakerState> also) {
    return new CircuitListener() {
      @Override
      public void transitioned(RouteCircuit circuit, CircuitBreakerState to, String reason) {
        first.transitioned(circuit, to, reason);
        also.accept(circuit.route(), to);
      }

      @Override
      public void failed(RouteCircuit circuit) {
        first.failed(circuit);
      }
    };
  }

  /** One failed attempt on this instance; the cluster sync batches these. */
  void failed(RouteCircuit circuit);
}
