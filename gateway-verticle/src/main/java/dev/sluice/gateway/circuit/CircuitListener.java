package dev.sluice.gateway.circuit;

import java.util.function.BiConsumer;

/** Hears the transitions a route's circuit decides on this instance (not the ones it was told about). */
public interface CircuitListener {
  void transitioned(RouteCircuit circuit, CircuitState to);

  /** One attempt on this instance (failed or not); the cluster sync batches these. */
  void called(RouteCircuit circuit);

  /** One failed attempt on this instance; the cluster sync batches these. */
  void failed(RouteCircuit circuit);

  /** {@code first}, then a plain observer of transitions by route (metrics). */
  static CircuitListener both(CircuitListener first, BiConsumer<String, CircuitState> also) {
    return new CircuitListener() {
      @Override
      public void transitioned(RouteCircuit circuit, CircuitState to) {
        first.transitioned(circuit, to);
        also.accept(circuit.route(), to);
      }

      @Override
      public void called(RouteCircuit circuit) {
        first.called(circuit);
      }

      @Override
      public void failed(RouteCircuit circuit) {
        first.failed(circuit);
      }
    };
  }
}
