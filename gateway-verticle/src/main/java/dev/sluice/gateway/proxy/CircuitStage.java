package dev.sluice.gateway.proxy;

import io.vertx.core.Future;


/**
 * 503 CIRCUIT_OPEN while the route's circuit is open (the upstream is not called at all), except
 * for the one request in the cluster chosen to probe it once the reset time has passed.
 */
final class CircuitStage implements GatewayStage {
  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    return exchange.circuit().admit().compose(admission -> {
      exchange.admission(admission);
      return exchange.proceed();
    });
  }
}
