package dev.sluice.admin;

import dev.sluice.gateway.circuit.CircuitBus;
import dev.sluice.gateway.config.SluiceConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.Locale;

/**
 * The control plane of one node, on its own port (default 127.0.0.1:9090, never the gateway's):
 * reads ({@code /__routes}, {@code /__circuit}, {@code /__limits}, {@code /__upstreams}, {@code /__health},
 * {@code /__metrics}) for anyone who can reach the port, writes only with the admin token.
 */
public class AdminVerticle extends VerticleBase {
  private static final long MAX_ROUTE_TABLE_BYTES = 1_048_576;

  private final SluiceConfig config;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;
  private RoutesEndpoint routes;
  private LimitsEndpoint limits;
  private HealthEndpoint health;

  /** @param registry the node's meters; null when metrics are off */
  public AdminVerticle(SluiceConfig config, PrometheusMeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    CircuitBus bus = new CircuitBus(vertx);
    SnapshotGatherer gatherer = new SnapshotGatherer(vertx, bus);
    routes = new RoutesEndpoint(vertx, config.defaults(), config.routes());
    CircuitEndpoint circuits = new CircuitEndpoint(vertx, bus, gatherer, routes::current);
    limits = new LimitsEndpoint(vertx, config.redis().url(), routes::current);
    health = new HealthEndpoint(vertx, config.redis().url(),
      config.redis().onFailure().name().toLowerCase(Locale.ROOT), gatherer);
    AdminAuth auth = new AdminAuth(config.admin().token());

    Router router = Router.router(vertx);
    router.get("/__routes").handler(routes::get);
    // vertx-web wants the body handler first; the body is bounded, and nothing acts on it before auth.
    router.put("/__routes").handler(BodyHandler.create(false).setBodyLimit(MAX_ROUTE_TABLE_BYTES)).handler(auth)
      .handler(routes::put);
    router.get("/__circuit").handler(circuits::get);
    router.post("/__circuit/:route/reset").handler(auth).handler(ctx -> circuits.change(ctx, CircuitBreakerState.CLOSED));
    router.post("/__circuit/:route/open").handler(auth).handler(ctx -> circuits.change(ctx, CircuitBreakerState.OPEN));
    router.get("/__limits").handler(limits::get);
    router.get("/__upstreams").handler(new UpstreamsEndpoint(gatherer, routes::names)::get);
    router.get("/__health").handler(health::get);
    router.get("/__metrics").handler(registry == null
      ? ctx -> AdminReplies.error(ctx, 503, "METRICS_OFF", "metrics are not enabled on this node")
      : PrometheusScrapingHandler.create(registry));
    router.route().handler(ctx -> AdminReplies.error(ctx, 404, "NOT_FOUND", "no admin endpoint " + ctx.request().path()));

    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.admin().host()).setPort(config.admin().port()))
      .requestHandler(router);
    return routes.start().compose(v -> server.listen());
  }

  @Override
  public Future<?> stop() {
    limits.close();
    health.close();
    return routes.stop();
  }

  public int actualPort() {
    return server.actualPort();
  }
}
