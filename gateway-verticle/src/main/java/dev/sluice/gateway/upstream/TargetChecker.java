package dev.sluice.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.shareddata.Lock;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The health check of one target of one route. Every {@code intervalMs} it tries for the
 * target's lock ({@code sluice.health.<route> <target>}, cluster-wide) unless it holds it; the
 * holder keeps it, and checks, until it stops (a reload, a shutdown) or its node leaves the
 * cluster. Its {@link HealthStreak} says when the checks change the target's standing.
 */
public final class TargetChecker {
  static final String LOCK_PREFIX = "sluice.health.";
  /** {@code X-Request-Id} of a check: {@code sluice-health:<route>:<node>:<instance>}. */
  public static final String HEALTH_ID_PREFIX = "sluice-health:";
  /** Asking for the lock waits this long at most: the holder keeps it, so waiting longer gains nothing. */
  private static final long LOCK_WAIT_MS = 10;

  private final Vertx vertx;
  private final HttpClient client;
  private final TargetSync sync;
  private final Supplier<UpstreamTargets> targets;
  private final String route;
  private final String target;
  private final HealthOptions health;
  private long timer = -1;
  private Lock lock;
  private boolean acquiring;
  private boolean checking;
  private boolean stopped;
  private final HealthStreak streak;

  TargetChecker(Vertx vertx, HttpClient client, TargetSync sync, Supplier<UpstreamTargets> targets, String route,
                String target, HealthOptions health) {
    this.vertx = vertx;
    this.client = client;
    this.sync = sync;
    this.targets = targets;
    this.route = route;
    this.target = target;
    this.health = health;
    this.streak = new HealthStreak(health);
  }

  TargetChecker start() {
    timer = vertx.setPeriodic(0, health.intervalMs(), t -> tick());
    return this;
  }

  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    if (lock != null) {
      lock.release();
      lock = null;
    }
    return Future.succeededFuture();
  }

  private void tick() {
    if (stopped || acquiring || checking) {
      return;
    }
    if (lock != null) {
      check();
      return;
    }
    acquiring = true;
    vertx.sharedData().getLockWithTimeout(LOCK_PREFIX + route + ' ' + target, LOCK_WAIT_MS).onComplete(ar -> {
      acquiring = false;
      if (ar.failed()) {
        return; // another instance checks this target
      }
      if (stopped) {
        ar.result().release();
        return;
      }
      lock = ar.result();
      check();
    });
  }

  private void check() {
    Optional<RouteTargets> routeTargets = targets.get().find(route);
    Optional<Target> current = routeTargets.flatMap(r -> r.find(target));
    if (current.isEmpty()) {
      return;
    }
    Target to = current.get();
    checking = true;
    RequestOptions options = new RequestOptions()
      .setMethod(HttpMethod.GET)
      .setHost(to.host())
      .setPort(to.port())
      .setSsl(to.tls())
      .setURI(to.uri(health.path()))
      .setConnectTimeout(health.timeoutMs())
      .setIdleTimeout(health.timeoutMs())
      // Which checker sent it, for the upstream's logs (and for tests that count checkers).
      .putHeader("X-Request-Id", HEALTH_ID_PREFIX + route + ':' + sync.node() + ':' + sync.instance())
      .putHeader("User-Agent", "sluice-health-check");
    client.request(options)
      .compose(request -> request.send())
      .compose(response -> response.body().map(body -> response))
      .timeout(health.timeoutMs(), TimeUnit.MILLISECONDS)
      .onComplete(ar -> {
        checking = false;
        if (!stopped) {
          judge(routeTargets.get(), to, ar.succeeded() && passed(ar.result()),
            ar.succeeded() ? "HTTP " + ar.result().statusCode() : String.valueOf(ar.cause().getMessage()));
        }
      });
  }

  private static boolean passed(HttpClientResponse response) {
    return response.statusCode() >= 200 && response.statusCode() < 300;
  }

  private void judge(RouteTargets routeTargets, Target to, boolean passed, String result) {
    TargetState state = to.state();
    switch (streak.record(passed, routeTargets.isOut(to), state.unhealthy(), state.ejections())) {
      case HEALTHY -> sync.health(route, target, false, streak.passes() + " health checks passed in a row");
      case UNHEALTHY -> sync.health(route, target, true,
        streak.fails() + " health checks failed in a row, the last: " + result);
      case NONE -> { }
    }
  }
}
