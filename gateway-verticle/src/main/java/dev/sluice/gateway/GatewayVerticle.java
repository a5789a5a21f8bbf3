package dev.sluice.gateway;

import dev.sluice.gateway.circuit.CircuitListener;
import dev.sluice.gateway.circuit.RouteCircuit;
import dev.sluice.gateway.circuit.RouteCircuits;
import dev.sluice.gateway.cluster.RouteReload;
import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.proxy.Routing;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.sluice.gateway.client.ClientIdentityResolver;
import dev.sluice.gateway.cluster.CircuitSync;
import dev.sluice.gateway.cluster.SharedDataProbeLocks;
import dev.sluice.gateway.cluster.SnapshotResponder;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.gateway.limit.FailoverRateLimiter;
import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.limit.RedisSlidingWindowLimiter;
import dev.sluice.gateway.proxy.GatewayPipeline;
import dev.sluice.gateway.proxy.RateLimitStage;
import dev.sluice.gateway.route.RouteTable;
import dev.sluice.gateway.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The data plane on one event loop: its own HTTP server (instances share the port), upstream
 * client, breakers and limiter client. Deploy N instances for N event loops.
 */
public class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final Buffer UP = new JsonObject().put("status", "UP").toBuffer();
  /** Connect timeouts longer than this mean the upstream is gone; a route's own timeout may be shorter. */
  private static final int MAX_CONNECT_TIMEOUT_MS = 2000;

  private final SluiceConfig config;
  private final GatewayNode node;
  private final String instanceId = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
  private HttpServer server;
  private UpstreamClient upstream;
  private CircuitSync sync;
  private SnapshotResponder snapshots;
  private FailoverRateLimiter limiter;
  private volatile Routing routing;
  private GatewayMetrics metrics;
  private MessageConsumer<JsonObject> reloads;

  /** A gateway on a node of its own. */
  public GatewayVerticle(SluiceConfig config) {
    this(config, GatewayNode.standalone());
  }

  /** @param node shared by every gateway instance of the node */
  public GatewayVerticle(SluiceConfig config, GatewayNode node) {
    this.config = config;
    this.node = node;
  }

  @Override
  public Future<?> start() {
    metrics = new GatewayMetrics(node.meters());
    sync = new CircuitSync(vertx, node.id(), instanceId);
    RouteCircuits circuits = new RouteCircuits(vertx, config.routes(), System::currentTimeMillis,
      CircuitListener.both(sync, metrics::transition), new SharedDataProbeLocks(vertx, sync));
    circuits.all().forEach(metrics::watch);
    routing = new Routing(new RouteTable(config.routes()), circuits);
    upstream = new UpstreamClient(vertx, connectTimeoutMs());
    limiter = new FailoverRateLimiter(vertx, config.redis(), new RedisSlidingWindowLimiter(vertx, config.redis()),
      node.fallbackWindows())
      .onFallback(() -> metrics.limiterFallback(config.redis().onFailure()));
    snapshots = new SnapshotResponder(vertx, sync, () -> routing.circuits(), this::limiterView);
    GatewayPipeline pipeline = GatewayPipeline.of(() -> routing, config.http().maxBodyBytes(),
      new ClientIdentityResolver(config.clients()), new RateLimitStage(limiter), upstream, metrics,
      config.log().access());

    Router router = Router.router(vertx);
    router.get("/__health").handler(ctx -> ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(UP));
    router.route().handler(ctx -> pipeline.handle(ctx.request()));

    server = vertx.createHttpServer(serverOptions()).requestHandler(router);
    return limiter.preload()
      .compose(v -> sync.start(() -> routing.circuits()))
      .compose(v -> snapshots.start())
      .compose(v -> {
        reloads = vertx.eventBus().consumer(RouteReload.ADDRESS, message -> reload(message.body()));
        return reloads.completion();
      })
      .compose(v -> server.listen());
  }

  /**
   * Drains, then lets go. {@code HttpServer.shutdown} stops this instance taking new connections
   * (the shared listener closes with the last instance), closes idle keep-alive connections at
   * once and each busy one after its answer; only then, or when the node's grace runs out, are the
   * breakers, upstream client and limiter that those answers still need released.
   */
  @Override
  public Future<?> stop() {
    return server.shutdown(node.shutdownGrace().toMillis(),
      java.util.concurrent.TimeUnit.MILLISECONDS).transform(drained -> release());
  }

  private Future<Void> release() {
    routing.circuits().close();
    upstream.close();
    return Future.join(sync.stop(), snapshots.stop(), reloads == null ? Future.succeededFuture() : reloads.unregister(),
      limiter.close()).mapEmpty();
  }

  /**
   * Swaps in a new route table and its circuits as one value, between two requests of this event
   * loop; requests already routed finish on the routing they took. Unchanged routes keep their
   * circuit state; new ones start from the cluster's.
   */
  private void reload(JsonObject message) {
    RouteReload reload;
    try {
      reload = RouteReload.fromJson(message, config.defaults());
    } catch (ConfigException e) {
      LOG.warn("ignored a route reload that does not validate: {}", e.problems());
      return;
    }
    Routing old = routing;
    RouteCircuits circuits = old.circuits().updatedFor(reload.routes());
    routing = new Routing(new RouteTable(reload.routes()), circuits);
    for (RouteCircuit retired : old.circuits().retiredBy(circuits)) {
      metrics.unwatch(retired);
      retired.close();
    }
    circuits.all().forEach(metrics::watch);
    sync.catchUpAll(circuits);
    LOG.info("routes reloaded: {}", reload.routes().stream().map(r -> r.name() + " " + r.prefix()).toList());
  }

  private JsonObject limiterView() {
    return new JsonObject()
      .put("onFailure", limiter.failureMode().name().toLowerCase(java.util.Locale.ROOT))
      .put("usingFallback", limiter.usingFallback())
      .put("fallbackCount", limiter.fallbackCount());
  }

  /** The port this instance listens on; useful when the config asked for port 0. */
  public int actualPort() {
    return server.actualPort();
  }

  private HttpServerOptions serverOptions() {
    return new HttpServerOptions()
      .setHost(config.http().host())
      .setPort(config.http().port())
      .setIdleTimeout(config.http().idleTimeoutSeconds())
      .setHandle100ContinueAutomatically(true)
      .setCompressionSupported(false);
  }

  private int connectTimeoutMs() {
    long longest = config.routes().stream().mapToLong(r -> r.policy().timeoutMs()).max().orElse(MAX_CONNECT_TIMEOUT_MS);
    return (int) Math.min(MAX_CONNECT_TIMEOUT_MS, longest);
  }
}
