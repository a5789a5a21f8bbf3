package dev.sluice.gateway.proxy;

import dev.sluice.gateway.circuit.RouteCircuit;
import io.vertx.core.Future;

import java.util.function.Function;

/**
 * 503 CIRCUIT_OPEN while the route's circuit is open (the upstream is not called at all), except
 * for the one request in the cluster chosen to probe it once the reset time has passed.
 */
final class CircuitStage implements GatewayStage {
  private final Function<String, RouteCircuit> circuits;

  CircuitStage(Function<String, RouteCircuit> circuits) {
    this.circuits = circuits;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    return circuits.apply(exchange.route().name()).admit().compose(admission -> {
      exchange.admission(admission);
      return exchange.proceed();
    });
  }
}
