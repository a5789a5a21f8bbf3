package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.upstream.RouteTargets;
import io.vertx.core.Future;

/**
 * 503 NO_HEALTHY_UPSTREAM when every target of the route is out (ejected or failing its health
 * check), with {@code Retry-After} until the first may be back. Before the circuit stage: such a
 * request neither takes the circuit's probe nor counts as the route's failure, since nothing was
 * called.
 */
final class TargetsStage implements GatewayStage {
  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    RouteTargets targets = exchange.targets();
    if (!targets.anyAvailable()) {
      return Future.failedFuture(GatewayException.retryAfter(GatewayError.NO_HEALTHY_UPSTREAM,
        "no healthy target for route " + targets.route(), (targets.retryAfterMs() + 999) / 1000));
    }
    return exchange.proceed();
  }
}
