package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.route.Route;
import io.vertx.core.Future;

import java.util.Optional;
import java.util.function.Supplier;

/** Picks the route by longest prefix; 404 NO_ROUTE when the table names none. */
final class RouteStage implements GatewayStage {
  private final Supplier<Routing> routing;

  RouteStage(Supplier<Routing> routing) {
    this.routing = routing;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    Routing current = routing.get();
    Optional<Route> route = current.table().match(exchange.path());
    if (route.isEmpty()) {
      return Future.failedFuture(GatewayException.of(GatewayError.NO_ROUTE, "no route for " + exchange.path()));
    }
    exchange.route(route.get(), current.circuits().get(route.get().name()), current.targets().get(route.get().name()));
    return exchange.proceed();
  }
}
