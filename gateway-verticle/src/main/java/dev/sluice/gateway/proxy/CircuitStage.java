package dev.sluice.gateway.proxy;

import dev.sluice.gateway.circuit.Admission;
import io.vertx.core.Future;


/**
 * 503 CIRCUIT_OPEN while the route's circuit is open (the upstream is not called at all), except
 * for the one request in the cluster chosen to probe it once the reset time has passed.
 */
final class CircuitStage implements GatewayStage {
  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    Future<Admission> admitted = exchange.circuit().admit();
    if (admitted.succeeded()) {
      // Decided on the spot, as for every request while the circuit is closed: no future in
      // between, whose completion every answer would pass through on its way back.
      return admitted(exchange, admitted.result());
    }
    return admitted.compose(admission -> admitted(exchange, admission));
  }

  private static Future<ProxyReply> admitted(Exchange exchange, Admission admission) {
    exchange.admission(admission);
    return exchange.proceed();
  }
}
