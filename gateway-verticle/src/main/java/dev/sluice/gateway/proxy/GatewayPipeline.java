package dev.sluice.gateway.proxy;

import dev.sluice.gateway.auth.Authentication;
import dev.sluice.gateway.client.ClientIdentityResolver;
import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.config.HttpOptions;
import dev.sluice.gateway.metrics.CacheMetrics;
import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.route.PathNormalizer;
import dev.sluice.gateway.trace.GatewayTracing;
import dev.sluice.gateway.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The request path, assembled in one place and read top to bottom. Request phase:
 * upgrade check → route → load shedding → body size → client identity → authentication → rate
 * limit → response cache → a target left → circuit →
 * forward (each attempt to a target the route's balancer picks, retries elsewhere). Response
 * phase: {@link ReplyWriter} relays the upstream's answer as it streams, or writes Sluice's JSON
 * error; then the answer is recorded (metrics, access log).
 */
public final class GatewayPipeline implements Handler<HttpServerRequest> {
  private final List<GatewayStage> stages;
  private final GatewayMetrics metrics;
  private final CacheMetrics cacheMetrics;
  private final AccessLog accessLog;
  private final ReplyWriter replies;
  private final GatewayTracing tracing;

  private GatewayPipeline(List<GatewayStage> stages, GatewayMetrics metrics, CacheMetrics cacheMetrics,
                          AccessLog accessLog, ReplyWriter replies, GatewayTracing tracing) {
    this.stages = List.copyOf(stages);
    this.tracing = tracing;
    this.metrics = metrics;
    this.cacheMetrics = cacheMetrics;
    this.accessLog = accessLog;
    this.replies = replies;
  }

  /**
   * @param shed     answers 503 OVERLOADED before the request costs anything (dev.sluice.gateway.load.ShedStage)
   * @param auth     who may call a route (401/403/503 before the limiter counts anything); null: every route is open
   * @param draining true once the gateway is shutting down
   * @param tracing  where each request's server span begins ({@link GatewayTracing#off()}: none)
   */
  public static GatewayPipeline of(Vertx vertx, Supplier<Routing> routing, HttpOptions http,
                                   ClientIdentityResolver clients, GatewayStage shed, Authentication auth,
                                   GatewayStage rateLimit, GatewayStage cache, UpstreamClient upstream,
                                   GatewayMetrics metrics, CacheMetrics cacheMetrics, boolean accessLog,
                                   BooleanSupplier draining, GatewayTracing tracing) {
    return new GatewayPipeline(List.of(
      new UpgradeStage(),
      new RouteStage(routing),
      shed,
      new BodyStage(http.maxBodyBytes()),
      new ClientStage(clients),
      auth == null ? Exchange::proceed : new AuthStage(auth),
      rateLimit,
      cache,
      new TargetsStage(),
      new CircuitStage(),
      new ForwardStage(vertx, upstream, metrics, http.maxBodyBytes())),
      metrics, cacheMetrics, new AccessLog(accessLog),
      new ReplyWriter(metrics, http.idleTimeoutSeconds() * 1000L, draining), tracing);
  }

  /**
   * Makes {@code server} refuse malformed and ambiguously framed requests before they reach
   * {@link #handle}: a JSON 400/414/431 and the connection closed.
   *
   * @param opened told of every new client connection first (http.maxConnections counts them)
   */
  public static HttpServer guard(HttpServer server, HttpServerOptions options, Handler<HttpConnection> opened) {
    return server
      .connectionHandler(connection -> {
        opened.handle(connection);
        StrictRequestDecoder.install(connection, options);
      })
      .invalidRequestHandler(new MalformedRequests());
  }

  @Override
  public void handle(HttpServerRequest request) {
    Exchange exchange = new Exchange(request, RequestIds.of(request), PathNormalizer.normalize(request.path()), stages,
      tracing.begin(request));
    if (exchange.carriesBody()) {
      // The body waits on the wire, not in memory, until the forward stage streams or keeps it.
      request.pause();
    }
    Future<ProxyReply> reply;
    try {
      reply = exchange.proceed();
    } catch (RuntimeException bug) {
      reply = Future.failedFuture(bug);
    }
    reply.onComplete(result -> replies.write(exchange, result, () -> record(exchange)));
  }

  private void record(Exchange exchange) {
    String route = exchange.route() == null ? "none" : exchange.route().name();
    int status = exchange.request().response().getStatusCode();
    accessLog.log(exchange, status);
    if (exchange.trace().on()) {
      exchange.trace().end(() -> TraceAttributes.serverSpanName(exchange), () -> TraceAttributes.server(exchange, status),
        status >= 500 || exchange.cutShort() == CutShort.UPSTREAM);
    }
    metrics.requestCompleted(route, exchange.request().method().name(), status, System.nanoTime() - exchange.startNanos());
    if (exchange.error() == GatewayError.RATE_LIMITED) {
      metrics.rateLimited(route);
    }
    if (exchange.cutShort() == CutShort.CLIENT) {
      metrics.clientAborted(route);
    }
    if (exchange.cacheResult() != null) {
      cacheMetrics.count(route, exchange.cacheResult().label());
    }
    if (exchange.attempts() > 1) {
      metrics.retries(route, exchange.attempts() - 1);
    }
  }
}
