package dev.sluice.admin;

import dev.sluice.admin.bridge.BridgeGuard;
import dev.sluice.admin.bridge.SockJsBridge;
import dev.sluice.admin.bridge.TcpBridge;
import dev.sluice.admin.command.AdminCommands;
import dev.sluice.admin.command.AdminRouteTable;
import dev.sluice.admin.command.AdminToken;
import dev.sluice.admin.command.CommandConsumer;
import dev.sluice.admin.consumer.ConsumersEndpoint;
import dev.sluice.admin.ui.AdminPage;
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
 * {@code /__metrics}) for anyone who can reach the port, writes only with the admin token; the
 * same writes as {@code sluice.admin.command} on the event bus ({@link AdminCommands}), which the
 * bridges let browsers ({@code /eventbus}, SockJS) and other languages ({@code admin.bridgePort},
 * TCP, same host) send with the token.
 */
public class AdminVerticle extends VerticleBase {
  private static final long MAX_ROUTE_TABLE_BYTES = 1_048_576;

  private final SluiceConfig config;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;
  private AdminRouteTable routeTable;
  private CommandConsumer commandConsumer;
  private TcpBridge tcpBridge;
  private LimitsEndpoint limits;
  private HealthEndpoint health;
  private ConsumersEndpoint consumers;
  private CacheEndpoint cache;

  /** @param registry the node's meters; null when metrics are off */
  public AdminVerticle(SluiceConfig config, PrometheusMeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    CircuitBus bus = new CircuitBus(vertx);
    SnapshotGatherer gatherer = new SnapshotGatherer(vertx, bus);
    routeTable = new AdminRouteTable(vertx, config.defaults(), config.routes());
    AdminCommands commands = new AdminCommands(bus, routeTable);
    commandConsumer = new CommandConsumer(vertx, commands);
    RoutesEndpoint routes = new RoutesEndpoint(routeTable, commands);
    CircuitEndpoint circuits = new CircuitEndpoint(vertx, bus, gatherer, routeTable::current, commands);
    limits = new LimitsEndpoint(vertx, config.redis().url(), routeTable::current);
    health = new HealthEndpoint(vertx, config.redis().url(),
      config.redis().onFailure().name().toLowerCase(Locale.ROOT), gatherer);
    cache = new CacheEndpoint(vertx, config.redis().url(), routeTable::current);
    AdminToken token = new AdminToken(config.admin().token());
    AdminAuth auth = new AdminAuth(token);
    BridgeGuard guard = new BridgeGuard(token);

    Router router = Router.router(vertx);
    router.get("/__routes").handler(routes::get);
    // vertx-web wants the body handler first; the body is bounded, and nothing acts on it before auth.
    router.put("/__routes").handler(BodyHandler.create(false).setBodyLimit(MAX_ROUTE_TABLE_BYTES)).handler(auth)
      .handler(routes::put);
    router.get("/__circuit").handler(circuits::get);
    router.post("/__circuit/:route/reset").handler(auth).handler(ctx -> circuits.change(ctx, CircuitBreakerState.CLOSED));
    router.post("/__circuit/:route/open").handler(auth).handler(ctx -> circuits.change(ctx, CircuitBreakerState.OPEN));
    router.delete("/__cache/:route").handler(auth).handler(cache::purge);
    router.get("/__limits").handler(limits::get);
    router.get("/__upstreams").handler(new UpstreamsEndpoint(gatherer, routeTable::names)::get);
    router.get("/__health").handler(health::get);
    consumers = new ConsumersEndpoint(vertx, config.redis().url());
    consumers.mount(router, auth);
    router.get("/__metrics").handler(registry == null
      ? ctx -> AdminReplies.error(ctx, 503, "METRICS_OFF", "metrics are not enabled on this node")
      : PrometheusScrapingHandler.create(registry));
    SockJsBridge.mount(vertx, router, guard);
    AdminPage.mount(router);
    router.route().handler(ctx -> AdminReplies.error(ctx, 404, "NOT_FOUND", "no admin endpoint " + ctx.request().path()));

    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.admin().host()).setPort(config.admin().port()))
      .requestHandler(router);
    tcpBridge = config.admin().bridgeOn()
      ? new TcpBridge(vertx, guard, config.admin().host(), config.admin().bridgePort()) : null;
    return routeTable.start()
      .compose(v -> commandConsumer.start())
      .compose(v -> server.listen())
      .compose(v -> tcpBridge == null ? Future.succeededFuture() : tcpBridge.start());
  }

  @Override
  public Future<?> stop() {
    limits.close();
    health.close();
    consumers.close();
    cache.close();
    return Future.join(routeTable.stop(), commandConsumer.stop(),
      tcpBridge == null ? Future.succeededFuture() : tcpBridge.stop());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
