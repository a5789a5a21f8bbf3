package dev.sluice.gateway.load;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.proxy.Exchange;
import dev.sluice.gateway.proxy.GatewayStage;
import dev.sluice.gateway.proxy.ProxyReply;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Load shedding, right after routing and before anything costs a Redis call or an upstream
 * connection: a request on a connection over {@code http.maxConnections}, or one more than its
 * route's {@code maxInFlight} on this node, is answered 503 OVERLOADED with {@code Retry-After}
 * at once. Nothing about it reaches the limiter, the circuit or the targets: the node is the one
 * overloaded, and says so.
 *
 * <p>In flight means waiting for the upstream's answer head (or Sluice's own answer): a request
 * counts from here until the rest of the pipeline has answered, not while its body streams after.
 */
public final class ShedStage implements GatewayStage {
  /** Shedding is for bursts; a second is long enough for in-flight requests to finish. */
  static final long RETRY_AFTER_S = 1;

  private final ConnectionGate connections;
  private final NodeLoad load;
  private final GatewayMetrics metrics;

  public ShedStage(ConnectionGate connections, NodeLoad load, GatewayMetrics metrics) {
    this.connections = connections;
    this.load = load;
    this.metrics = metrics;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    String route = exchange.route().name();
    if (connections.refuses(exchange.request().connection())) {
      // The connection's slot is what is short: close it once this answer is out (Vert.x keeps an
      // HTTP/1.1 connection open whatever the answer's Connection header says).
      HttpServerResponse response = exchange.request().response();
      response.headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      response.endHandler(v -> exchange.request().connection().close());
      metrics.shed(route, GatewayMetrics.SHED_CONNECTIONS);
      return Future.failedFuture(overloaded("this node holds http.maxConnections client connections"));
    }
    int maxInFlight = exchange.route().policy().maxInFlight();
    if (maxInFlight <= 0) {
      return exchange.proceed();
    }
    if (!load.requestStarted(route, maxInFlight)) {
      metrics.shed(route, GatewayMetrics.SHED_IN_FLIGHT);
      return Future.failedFuture(overloaded("route " + route + " has maxInFlight requests in flight on this node"));
    }
    Future<ProxyReply> reply;
    try {
      reply = exchange.proceed();
    } catch (RuntimeException bug) {
      load.requestFinished(route);
      throw bug;
    }
    return reply.andThen(ar -> load.requestFinished(route));
  }

  private static GatewayException overloaded(String message) {
    return GatewayException.retryAfter(GatewayError.OVERLOADED, message, RETRY_AFTER_S);
  }
}
