package dev.sluice.gateway;

import dev.sluice.gateway.auth.Authentication;
import dev.sluice.gateway.cache.CachePurge;
import dev.sluice.gateway.cache.CacheStore;
import dev.sluice.gateway.circuit.CircuitListener;
import dev.sluice.gateway.circuit.RouteCircuit;
import dev.sluice.gateway.circuit.RouteCircuits;
import dev.sluice.gateway.client.ClientIdentityResolver;
import dev.sluice.gateway.circuit.CircuitSync;
import dev.sluice.gateway.route.RouteReload;
import dev.sluice.gateway.route.RouteTableSync;
import dev.sluice.gateway.circuit.SharedDataProbeLocks;
import dev.sluice.gateway.circuit.SnapshotResponder;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.gateway.edge.CertificateReloader;
import dev.sluice.gateway.edge.EdgeListener;
import dev.sluice.gateway.edge.HttpsRedirect;
import dev.sluice.gateway.edge.ServerCertificates;
import dev.sluice.gateway.edge.UpstreamTrust;
import dev.sluice.gateway.limit.FailoverRateLimiter;
import dev.sluice.gateway.limit.NodeShareLimiter;
import dev.sluice.gateway.limit.RedisSlidingWindowLimiter;
import dev.sluice.gateway.metrics.CacheMetrics;
import dev.sluice.gateway.load.ConnectionGate;
import dev.sluice.gateway.load.ShedStage;
import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.proxy.CacheStage;
import dev.sluice.gateway.proxy.GatewayPipeline;
import dev.sluice.gateway.proxy.RateLimitStage;
import dev.sluice.gateway.proxy.Routing;
import dev.sluice.gateway.redis.PipelinedRedis;
import dev.sluice.gateway.redis.RedisUrl;
import dev.sluice.gateway.route.RouteTable;
import dev.sluice.gateway.trace.GatewayTracing;
import dev.sluice.gateway.upstream.HealthChecks;
import dev.sluice.gateway.upstream.TargetSync;
import dev.sluice.gateway.upstream.UpstreamClient;
import dev.sluice.gateway.upstream.UpstreamTargets;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private RouteTableSync routeTables;
  private TargetSync targetSync;
  private HealthChecks healthChecks;
  private PipelinedRedis cacheRedis;
  private CacheMetrics cacheMetrics;
  private MessageConsumer<Object> purges;
  /** Set when stop begins: what the drain cuts short after that is the gateway's doing. */
  private volatile boolean stopping;
  private Authentication auth;
  private ServerCertificates servedAtStart;
  private CertificateReloader certificates;
  private HttpServer redirect;

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
    config.routes().forEach(r -> metrics.declareRoute(r.name()));
    cacheMetrics = new CacheMetrics(node.meters(), () -> node.caches().bytes());
    config.routes().stream().filter(r -> r.cache().enabled()).forEach(r -> cacheMetrics.declareRoute(r.name()));
    sync = new CircuitSync(vertx, node.id(), instanceId);
    // Monotonic: circuit timing never reads the time of day (nodes' clocks disagree).
    RouteCircuits circuits = new RouteCircuits(vertx, node.id(), node.circuits(), node.liveNodes(), config.routes(),
      () -> System.nanoTime() / 1_000_000,
      CircuitListener.both(sync, metrics::transition), new SharedDataProbeLocks(sync));
    circuits.all().forEach(metrics::watch);
    targetSync = new TargetSync(vertx, node.id(), instanceId);
    UpstreamTargets targets = new UpstreamTargets(config.routes(), GatewayVerticle::monotonicMs,
      bound -> ThreadLocalRandom.current().nextInt(bound), targetSync, node.id(),
      route -> routing.circuits().find(route).map(RouteCircuit::callers).orElse(1));
    targets.all().forEach(metrics::watch);
    routing = new Routing(new RouteTable(config.routes()), circuits, targets);
    healthChecks = new HealthChecks(vertx, targetSync, () -> routing.targets());
    upstream = new UpstreamClient(vertx, connectTimeoutMs(), config.http().idleTimeoutSeconds(), config.http().poolWaitMs());
    limiter = new FailoverRateLimiter(vertx, config.redis(), new RedisSlidingWindowLimiter(vertx, config.redis()),
      new NodeShareLimiter(node.fallbackWindows(), node.liveNodes()))
      .onFallback(() -> metrics.limiterFallback(config.redis().onFailure()));
    snapshots = new SnapshotResponder(vertx, sync, () -> routing.circuits(), this::limiterView);
    auth = new Authentication(vertx, config.auth(), config.redis());
    ConnectionGate connections = new ConnectionGate(vertx, node.load(), config.http().maxConnections());
    GatewayPipeline pipeline = GatewayPipeline.of(vertx, () -> routing, config.http(),
      new ClientIdentityResolver(config.clients()), new ShedStage(connections, node.load(), metrics), auth,
      new RateLimitStage(limiter), cacheStage(), upstream, metrics, cacheMetrics, config.log().access(),
      () -> stopping, new GatewayTracing(node.tracing(), config.clients().trustedProxies()));

    // The certificate and CA files read and checked before anything else starts: a bad file is a config error.
    return listenerOptions().compose(serverOptions -> {
        server = GatewayPipeline.guard(vertx.createHttpServer(serverOptions), serverOptions, connections::opened)
          .requestHandler(request -> {
            // Before any shedding: a load balancer must see a node that sheds load as alive.
            if (!answeredLiveness(request)) {
              pipeline.handle(request);
            }
          });
        // Redis warmed first and listening last: the first burst must not find a cold limiter.
        return limiter.preload();
      })
      .compose(v -> auth.start(config.routes()))
      .compose(v -> sync.start(() -> routing.circuits()))
      .compose(v -> snapshots.start())
      .compose(v -> purges.completion())
      .compose(v -> targetSync.start(() -> routing.targets()))
      .compose(v -> {
        // Before listening: a node that joins after a reload starts on the cluster's table, not its file's.
        routeTables = new RouteTableSync(vertx, config.defaults(), this::reload);
        return routeTables.start();
      })
      .compose(v -> {
        healthChecks.update();
        // The redirect's fixed port bound before the gateway's own: a gateway on port 0 (tests) could
        // otherwise be given the redirect port just freed by whoever picked it, and Vert.x would then
        // share that TLS listener with the redirect, answering cleartext with a TLS handshake.
        return startRedirect().compose(r -> server.listen());
      })
      .compose(listening -> startEdge());
  }

  /** The plain listener's options, or, with {@code http.tls}, those with TLS and HTTP/2 on, once the files passed. */
  private Future<HttpServerOptions> listenerOptions() {
    HttpServerOptions options = serverOptions();
    UpstreamTrust.warnUnverified(config.routes());
    Future<Void> trusted = UpstreamTrust.check(vertx, config.routes());
    if (!config.http().tlsOn()) {
      return trusted.map(options);
    }
    return trusted.compose(v -> ServerCertificates.load(vertx, config.http().tls())).map(served -> {
      servedAtStart = served;
      return EdgeListener.apply(options, config.http(), served);
    });
  }

  /** The renewal watch, once the TLS listener is up. */
  private Future<Void> startEdge() {
    if (servedAtStart != null) {
      certificates = new CertificateReloader(vertx, config.http(), server, servedAtStart);
      certificates.start();
    }
    return Future.succeededFuture();
  }

  /** The cleartext listener of {@code http.redirectPort}, if any: it asks the TLS listener's port per request. */
  private Future<Void> startRedirect() {
    if (config.http().redirectPort() == 0) {
      return Future.succeededFuture();
    }
    redirect = vertx.createHttpServer(new HttpServerOptions().setHost(config.http().host())
        .setPort(config.http().redirectPort()).setIdleTimeout(config.http().idleTimeoutSeconds()))
      .requestHandler(new HttpsRedirect(server::actualPort, this::answeredLiveness));
    return redirect.listen().mapEmpty();
  }

  /** Answers {@code GET /__health}, on the gateway's port and on the redirect port alike. */
  private boolean answeredLiveness(HttpServerRequest request) {
    if (!isLivenessCheck(request)) {
      return false;
    }
    request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(UP);
    return true;
  }

  /**
   * The response cache's stage, on a Redis connection of its own: its commands neither wait behind
   * the limiter's nor fail with them in one pipelined batch. Purges published by the admin drop
   * this node's local entries.
   */
  private CacheStage cacheStage() {
    cacheRedis = new PipelinedRedis(vertx, RedisUrl.toClientOptions(config.redis().url()));
    purges = vertx.eventBus().consumer(CachePurge.ADDRESS, message -> {
      CachePurge purge = CachePurge.fromJson(message.body());
      if (purge != null) {
        node.caches().purge(purge.route(), purge.prefix());
      }
    });
    CacheStore store = new CacheStore(cacheRedis::sendNow, config.redis().timeoutMs());
    return new CacheStage(vertx, store, node.caches(), node.id() + "/" + instanceId);
  }

  /** Ejections last durations on this clock: never the time of day, which an operator may set back. */
  private static long monotonicMs() {
    return System.nanoTime() / 1_000_000;
  }

  /** {@code GET /__health} exactly: no route may shadow the load balancer's check. */
  private static boolean isLivenessCheck(HttpServerRequest request) {
    return request.method() == HttpMethod.GET && "/__health".equals(request.path());
  }

  /**
   * Drains, then lets go. {@code HttpServer.shutdown} stops this instance taking new connections
   * (the shared listener closes with the last instance), closes idle keep-alive connections at
   * once and each busy one after its answer; only then, or when the node's grace runs out, are the
   * breakers, upstream client and limiter that those answers still need released.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (certificates != null) {
      certificates.stop();
    }
    if (redirect != null) {
      redirect.close();
    }
    return server.shutdown(node.shutdownGrace().toMillis(),
      TimeUnit.MILLISECONDS).transform(drained -> release());
  }

  private Future<Void> release() {
    routing.circuits().close();
    return Future.join(List.of(upstream.close(), sync.stop(), snapshots.stop(), targetSync.stop(),
      healthChecks.stop(), routeTables == null ? Future.succeededFuture() : routeTables.stop(),
      limiter.close(), auth.close(), purges.unregister(), cacheRedis.close())).mapEmpty();
  }

  /**
   * Swaps in a new route table and its circuits as one value, between two requests of this event
   * loop; requests already routed finish on the routing they took. Unchanged routes keep their
   * circuit state; new ones start from the cluster's. {@link RouteTableSync} has validated the table
   * and checked that it is not older than the one in place.
   *
   * @return when the new circuits have caught up with the cluster's state (awaited at start only)
   */
  private Future<Void> reload(RouteReload reload) {
    Routing old = routing;
    reload.routes().forEach(r -> metrics.declareRoute(r.name()));
    reload.routes().stream().filter(r -> r.cache().enabled()).forEach(r -> cacheMetrics.declareRoute(r.name()));
    RouteCircuits circuits = old.circuits().updatedFor(reload.routes());
    UpstreamTargets targets = old.targets().updatedFor(reload.routes());
    routing = new Routing(new RouteTable(reload.routes()), circuits, targets);
    old.targets().retiredBy(targets).forEach(retired -> metrics.unwatch(retired.getKey(), retired.getValue()));
    targets.all().forEach(metrics::watch);
    healthChecks.update();
    for (RouteCircuit retired : old.circuits().retiredBy(circuits)) {
      metrics.unwatch(retired);
      retired.close();
    }
    circuits.all().forEach(metrics::watch);
    LOG.info("routes reloaded (version {}): {}", reload.version(),
      reload.routes().stream().map(r -> r.name() + " " + r.prefix()).toList());
    return Future.all(sync.catchUpAll(circuits), targetSync.catchUpAll(targets), auth.warm(reload.routes())).mapEmpty();
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
      .setCompressionSupported(false)
      .setMaxChunkSize(UpstreamClient.BODY_CHUNK_BYTES)
      // Cleartext HTTP/2 would sniff the first bytes before the HTTP/1 decoder is set up, too
      // late to put the strict one in its place (GatewayPipeline.guard); nothing upstream speaks it.
      .setHttp2ClearTextEnabled(false);
  }

  private int connectTimeoutMs() {
    long longest = config.routes().stream().mapToLong(r -> r.policy().timeoutMs()).max().orElse(MAX_CONNECT_TIMEOUT_MS);
    return (int) Math.min(MAX_CONNECT_TIMEOUT_MS, longest);
  }
}
