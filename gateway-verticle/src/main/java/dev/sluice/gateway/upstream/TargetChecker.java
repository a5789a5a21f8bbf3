package dev.sluice.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The health check of one target of one route. Every {@code intervalMs} it renews (or tries to
 * take) the target's {@link CheckLease}, and checks only while it holds it: one checker in the
 * whole cluster. Its {@link HealthStreak} says when the checks change the target's standing.
 */
public final class TargetChecker {
  /** {@code X-Request-Id} of a check: {@code sluice-health:<route>:<node>:<instance>}. */
  public static final String HEALTH_ID_PREFIX = "sluice-health:";
  /**
   * A holder's lease goes stale after three missed renewals (a holder renews at most one interval
   * after its last check ended, and a check lasts up to {@code timeoutMs}), and never sooner than
   * Hazelcast itself declares a silent member dead ({@code hazelcast.max.no.heartbeat.seconds},
   * 6 s): a busy holder must not lose its lease, and its streak, to a pause the cluster forgives.
   */
  static final long MIN_STALE_MS = 6000;

  private final Vertx vertx;
  private final HttpClient client;
  private final TargetSync sync;
  private final Supplier<UpstreamTargets> targets;
  private final String route;
  private final String target;
  private final HealthOptions health;
  private final CheckLease lease;
  private long timer = -1;
  private boolean renewing;
  private boolean checking;
  private boolean stopped;
  private HealthStreak streak;

  TargetChecker(Vertx vertx, HttpClient client, TargetSync sync, Supplier<UpstreamTargets> targets, String route,
                String target, HealthOptions health) {
    this.vertx = vertx;
    this.client = client;
    this.sync = sync;
    this.targets = targets;
    this.route = route;
    this.target = target;
    this.health = health;
    this.lease = new CheckLease(vertx, route, target, sync.node() + ' ' + sync.instance(),
      Math.max(3 * (health.intervalMs() + health.timeoutMs()), MIN_STALE_MS), () -> System.nanoTime() / 1_000_000);
    this.streak = new HealthStreak(health);
  }

  TargetChecker start() {
    timer = vertx.setPeriodic(0, health.intervalMs(), t -> tick());
    return this;
  }

  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return lease.release();
  }

  /** Renew first, check after: a checker that lost its lease (a merge, a takeover) sends no further check. */
  private void tick() {
    if (stopped || renewing || checking) {
      return;
    }
    renewing = true;
    boolean had = lease.held();
    lease.renew().onComplete(ar -> {
      renewing = false;
      if (stopped) {
        lease.release(); // taken while stopping: let it go now, not when it goes stale
        return;
      }
      if (ar.failed() || !ar.result()) {
        return; // another instance checks this target (or the map did not answer: try again next interval)
      }
      if (!had) {
        // Checks this checker made before another held the lease are old news.
        streak = new HealthStreak(health);
      }
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
    RequestOptions options = to.connect(new RequestOptions())
      .setMethod(HttpMethod.GET)
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
      case HEALTHY -> publishIfStillHolder(false, streak.passes() + " health checks passed in a row");
      case UNHEALTHY -> publishIfStillHolder(true, streak.fails() + " health checks failed in a row, the last: " + result);
      case NONE -> { }
    }
  }

  /**
   * A verdict goes out only through the lease's fence: after a merge, two checkers may each have
   * started a check while holding a lease, and only the one whose entry the map kept may speak.
   */
  private void publishIfStillHolder(boolean down, String reason) {
    lease.confirm().onComplete(ar -> {
      if (!stopped && ar.succeeded() && ar.result()) {
        sync.health(route, target, down, reason);
      }
    });
  }
}
