package dev.sluice.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The active health checks one verticle instance may run: one {@link TargetChecker} per target of
 * each route with {@code health} on. Every instance of every node has them, but each checks only
 * while it holds its target's {@link CheckLease}, so each target is checked by one instance in the
 * whole cluster; another takes over when that one stops, or its lease goes stale (its node died).
 */
public final class HealthChecks {
  private final Vertx vertx;
  private final TargetSync sync;
  private final Supplier<UpstreamTargets> targets;
  private final Map<String, TargetChecker> byKey = new HashMap<>();
  private HttpClient client;

  public HealthChecks(Vertx vertx, TargetSync sync, Supplier<UpstreamTargets> targets) {
    this.vertx = vertx;
    this.sync = sync;
    this.targets = targets;
  }

  /**
   * Starts checkers for the targets of the current table that have none, and stops those of
   * targets it no longer has (or whose route changed its health settings).
   */
  public void update() {
    Map<String, TargetChecker> wanted = new HashMap<>();
    for (RouteTargets route : targets.get().all()) {
      HealthOptions health = route.policy().health();
      if (!health.enabled()) {
        continue;
      }
      for (Target target : route.targets()) {
        String key = route.route() + ' ' + target.name() + ' ' + health;
        TargetChecker checker = byKey.remove(key);
        wanted.put(key, checker != null ? checker
          : new TargetChecker(vertx, client(), sync, targets, route.route(), target.name(), health).start());
      }
    }
    byKey.values().forEach(TargetChecker::stop);
    byKey.clear();
    byKey.putAll(wanted);
  }

  /**
   * Its own client: checks must not wait behind requests for a pooled connection, and a fresh
   * connection per check notices at once a target that came back on its port.
   */
  private HttpClient client() {
    if (client == null) {
      client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    }
    return client;
  }

  public Future<Void> stop() {
    List<Future<Void>> stopped = new ArrayList<>();
    byKey.values().forEach(checker -> stopped.add(checker.stop()));
    byKey.clear();
    if (client != null) {
      stopped.add(client.close());
    }
    return Future.join(stopped).mapEmpty();
  }
}
