package dev.sluice.gateway.proxy;

import dev.sluice.gateway.client.ClientIdentityResolver;
import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.route.PathNormalizer;
import dev.sluice.gateway.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.function.Supplier;

/**
 * The request path, assembled in one place and read top to bottom:
 * route → body size → client identity → rate limit → circuit → forward (with retries).
 * Every answer, the upstream's or an error, is written by {@link ReplyWriter}.
 */
public final class GatewayPipeline implements Handler<HttpServerRequest> {
  private final List<GatewayStage> stages;
  private final GatewayMetrics metrics;
  private final AccessLog accessLog;

  private GatewayPipeline(List<GatewayStage> stages, GatewayMetrics metrics, AccessLog accessLog) {
    this.stages = List.copyOf(stages);
    this.metrics = metrics;
    this.accessLog = accessLog;
  }

  public static GatewayPipeline of(Supplier<Routing> routing, long maxBodyBytes, ClientIdentityResolver clients,
                                   GatewayStage rateLimit, UpstreamClient upstream, GatewayMetrics metrics,
                                   boolean accessLog) {
    return new GatewayPipeline(List.of(
      new RouteStage(routing),
      new BodyStage(maxBodyBytes),
      new ClientStage(clients),
      rateLimit,
      new CircuitStage(),
      new ForwardStage(upstream, metrics)), metrics, new AccessLog(accessLog));
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
    reply.onComplete(result -> ReplyWriter.write(exchange, result,
      () -> record(exchange, result.failed() ? result.cause() : null)));
  }

  private void record(Exchange exchange, Throwable failure) {
    String route = exchange.route() == null ? "none" : exchange.route().name();
    int status = exchange.request().response().getStatusCode();
    accessLog.log(exchange, status);
    metrics.requestCompleted(route, exchange.request().method().name(), status, System.nanoTime() - exchange.startNanos());
    if (failure instanceof GatewayException e && e.error() == GatewayError.RATE_LIMITED) {
      metrics.rateLimited(route);
    }
    if (exchange.attempts() > 1) {
      metrics.retries(route, exchange.attempts() - 1);
    }
  }
}
