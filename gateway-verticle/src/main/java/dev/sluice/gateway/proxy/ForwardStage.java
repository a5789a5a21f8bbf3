package dev.sluice.gateway.proxy;

import dev.sluice.gateway.circuit.RouteCircuit;
import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.route.Route;
import dev.sluice.gateway.upstream.HopByHopHeaders;
import dev.sluice.gateway.upstream.UpstreamClient;
import dev.sluice.gateway.upstream.UpstreamOutcome;
import dev.sluice.gateway.upstream.UpstreamRequest;
import dev.sluice.gateway.upstream.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

import java.util.Set;

/**
 * The last stage: sends the request upstream through the route's breaker, retrying as the route
 * allows, and turns the final outcome into the reply (the upstream's own answer, whatever its
 * status) or into 502 UPSTREAM_UNAVAILABLE / 504 UPSTREAM_TIMEOUT.
 */
final class ForwardStage implements GatewayStage {
  /** Set by us, or computed by the client from the body we send. */
  private static final Set<String> REQUEST_SKIP = Set.of("host", "content-length", "expect", "x-request-id");
  private static final Set<String> RESPONSE_SKIP = Set.of("content-length");

  private final UpstreamClient client;
  private final GatewayMetrics metrics;

  ForwardStage(UpstreamClient client, GatewayMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    Route route = exchange.route();
    RouteCircuit circuit = exchange.circuit();
    UpstreamRequest upstream = upstreamRequest(exchange, route);
    boolean maySendTwice = circuit.retryRule().maySendTwice(upstream.method(), exchange.request().headers());
    return circuit.call(() -> {
      exchange.countAttempt();
      return client.send(upstream).andThen(ar -> metrics.attempt(route.name(), ar.result()));
    }, maySendTwice, exchange.admission()).compose(ForwardStage::toReply);
  }

  private static UpstreamRequest upstreamRequest(Exchange exchange, Route route) {
    HttpServerRequest request = exchange.request();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    HopByHopHeaders.copyEndToEnd(request.headers(), headers, REQUEST_SKIP);
    ForwardedHeaders.apply(request, headers);
    headers.set(RequestIds.HEADER, exchange.requestId());
    String uri = route.upstreamUri(exchange.path(), request.query());
    return new UpstreamRequest(route, request.method(), uri, headers, exchange.body(), route.policy().timeoutMs());
  }

  private static Future<ProxyReply> toReply(UpstreamOutcome outcome) {
    return switch (outcome.kind()) {
      case RESPONSE -> Future.succeededFuture(fromResponse(outcome.response()));
      case TIMEOUT -> Future.failedFuture(GatewayException.of(GatewayError.UPSTREAM_TIMEOUT,
        "upstream did not answer in time"));
      case CONNECT_FAILURE -> Future.failedFuture(GatewayException.of(GatewayError.UPSTREAM_UNAVAILABLE,
        "upstream unavailable"));
    };
  }

  private static ProxyReply fromResponse(UpstreamResponse response) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    HopByHopHeaders.copyEndToEnd(response.headers(), headers, RESPONSE_SKIP);
    return new ProxyReply(response.statusCode(), response.statusMessage(), headers, response.body());
  }
}
