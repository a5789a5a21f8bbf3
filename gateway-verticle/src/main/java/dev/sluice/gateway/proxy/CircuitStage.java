package dev.sluice.gateway.proxy;

import dev.sluice.gateway.circuit.RouteCircuit;
import io.vertx.core.Future;

import java.util.function.Function;

/** 503 CIRCUIT_OPEN while the route's breaker is open: the upstream is not called at all. */
final class CircuitStage implements GatewayStage {
  private final Function<String, RouteCircuit> circuits;

  CircuitStage(Function<String, RouteCircuit> circuits) {
    this.circuits = circuits;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    RouteCircuit circuit = circuits.apply(exchange.route().name());
    return circuit.isOpen() ? Future.failedFuture(circuit.openError()) : exchange.proceed();
  }
}
