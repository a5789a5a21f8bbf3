package dev.sluice.gateway.stats;

import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.metrics.RouteTotals;
import dev.sluice.gateway.route.RouteReload;
import dev.sluice.gateway.route.RouteTableSync;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes {@link NodeStats} on {@link NodeStats#ADDRESS} every {@link #INTERVAL_MS}: one per node
 * (deploy it once, beside the gateway instances), because the numbers are the node's, read from
 * the meter registry its instances share. The request path pays nothing for it beyond the counter
 * increments and histogram record it makes anyway. It follows the route table like a gateway
 * instance does, so a reload's new routes show (at 0) and removed ones stop showing.
 */
public class StatsPublisher extends VerticleBase {
  public static final long INTERVAL_MS = 1000;

  private final SluiceConfig config;
  private final GatewayNode node;
  private final long intervalMs;
  private final Map<String, RouteTotals> previous = new HashMap<>();
  private GatewayMetrics metrics;
  private RouteTableSync routeTables;
  /** Read and written on this verticle's own context only. */
  private List<RouteConfig> routes;
  private long timer;
  private long seq;
  private long lastNanos;

  public StatsPublisher(SluiceConfig config, GatewayNode node) {
    this(config, node, INTERVAL_MS);
  }

  StatsPublisher(SluiceConfig config, GatewayNode node, long intervalMs) {
    this.config = config;
    this.node = node;
    this.intervalMs = intervalMs;
    this.routes = config.routes();
  }

  @Override
  public Future<?> start() {
    metrics = new GatewayMetrics(node.meters());
    routes.forEach(r -> previous.put(r.name(), metrics.totals(r.name())));
    routeTables = new RouteTableSync(vertx, config.defaults(), this::reload);
    lastNanos = System.nanoTime();
    return routeTables.start().onSuccess(v -> timer = vertx.setPeriodic(intervalMs, id -> publish()));
  }

  private Future<Void> reload(RouteReload reload) {
    routes = reload.routes();
    return Future.succeededFuture();
  }

  private void publish() {
    long now = System.nanoTime();
    List<RouteStats> stats = new ArrayList<>();
    Map<String, RouteTotals> current = new HashMap<>();
    for (RouteConfig route : routes) {
      RouteTotals totals = metrics.totals(route.name());
      current.put(route.name(), totals);
      // A route new since the last tick (a reload) starts counting now: its meters may hold the
      // history of an earlier route of the same name, which is not this second's.
      stats.add(RouteStats.between(previous.getOrDefault(route.name(), totals), totals));
    }
    previous.clear();
    previous.putAll(current);
    long interval = Math.max(1, (now - lastNanos) / 1_000_000);
    lastNanos = now;
    vertx.eventBus().publish(NodeStats.ADDRESS, new NodeStats(node.id(), ++seq, interval, stats).toJson());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return routeTables.stop();
  }
}
