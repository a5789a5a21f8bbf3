package dev.sluice.gateway.proxy;

import dev.sluice.gateway.circuit.RouteCircuit;
import dev.sluice.gateway.client.ClientIdentityResolver;
import dev.sluice.gateway.route.PathNormalizer;
import dev.sluice.gateway.route.RouteTable;
import dev.sluice.gateway.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The request path, assembled in one place and read top to bottom:
 * route → body size → client identity → rate limit → circuit → forward (with retries).
 * Every answer, the upstream's or an error, is written by {@link ReplyWriter}.
 */
public final class GatewayPipeline implements Handler<HttpServerRequest> {
  private final List<GatewayStage> stages;

  private GatewayPipeline(List<GatewayStage> stages) {
    this.stages = List.copyOf(stages);
  }

  public static GatewayPipeline of(Supplier<RouteTable> routes, long maxBodyBytes, ClientIdentityResolver clients,
                                   GatewayStage rateLimit, Function<String, RouteCircuit> circuits,
                                   UpstreamClient upstream) {
    return new GatewayPipeline(List.of(
      new RouteStage(routes),
      new BodyStage(maxBodyBytes),
      new ClientStage(clients),
      rateLimit,
      new CircuitStage(circuits),
      new ForwardStage(upstream, circuits)));
  }

  @Override
  public void handle(HttpServerRequest request) {
    Exchange exchange = new Exchange(request, RequestIds.of(request), PathNormalizer.normalize(request.path()), stages);
    Future<ProxyReply> reply;
    try {
      reply = exchange.proceed();
    } catch (RuntimeException bug) {
      reply = Future.failedFuture(bug);
    }
    reply.onComplete(result -> ReplyWriter.write(exchange, result));
  }
}
