package dev.sluice.admin;

import dev.sluice.gateway.upstream.TargetsSnapshot;
import dev.sluice.gateway.upstream.TargetsSnapshot.RouteView;
import dev.sluice.gateway.upstream.TargetsSnapshot.TargetView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /__upstreams}: per route, each target with its state (UP, EJECTED, UNHEALTHY), why
 * and by which node it is out, for how much longer, its requests in flight and its failures,
 * gathered from every gateway instance in the cluster ({@link TargetsSnapshot}). Instances share
 * ejections, so their views agree but for an event in flight: a target is shown in the worst
 * state any instance reports, its counts summed over instances, and each instance's state listed.
 */
final class UpstreamsEndpoint {
  private final SnapshotGatherer gatherer;
  private final Supplier<Set<String>> routeNames;

  UpstreamsEndpoint(SnapshotGatherer gatherer, Supplier<Set<String>> routeNames) {
    this.gatherer = gatherer;
    this.routeNames = routeNames;
  }

  void get(RoutingContext ctx) {
    gatherer.gather(TargetsSnapshot.ADDRESS)
      .map(views -> views.stream().map(TargetsSnapshot::fromJson).toList())
      .onSuccess(snapshots -> AdminReplies.json(ctx, 200, merge(snapshots, System.currentTimeMillis())))
      .onFailure(err -> AdminReplies.error(ctx, 503, "CLUSTER_UNAVAILABLE", String.valueOf(err.getMessage())));
  }

  /** @param nowMs this admin node's clock, only to show {@code until} to a person */
  private JsonObject merge(List<TargetsSnapshot> snapshots, long nowMs) {
    Map<String, Map<String, MergedTarget>> routes = new LinkedHashMap<>();
    Map<String, RouteView> routeInfo = new LinkedHashMap<>();
    routeNames.get().forEach(name -> routes.put(name, new LinkedHashMap<>()));
    for (TargetsSnapshot snapshot : snapshots) {
      for (RouteView route : snapshot.routes()) {
        routeInfo.putIfAbsent(route.route(), route);
        Map<String, MergedTarget> targets = routes.computeIfAbsent(route.route(), r -> new LinkedHashMap<>());
        for (TargetView target : route.targets()) {
          targets.computeIfAbsent(target.target(), t -> new MergedTarget()).add(snapshot, target);
        }
      }
    }
    JsonArray list = new JsonArray();
    routes.forEach((name, targets) -> {
      RouteView info = routeInfo.get(name);
      if (info == null) {
        return; // no instance answered for it
      }
      JsonArray targetList = new JsonArray();
      targets.values().forEach(t -> targetList.add(t.toJson(nowMs)));
      list.add(new JsonObject().put("route", name).put("balance", info.balance())
        .put("healthChecks", info.healthChecks()).put("targets", targetList));
    });
    return new JsonObject().put("routes", list);
  }

  /** One target as every instance sees it. */
  private static final class MergedTarget {
    private TargetView worst;
    private long inFlight;
    private long requests;
    private long failures;
    private int consecutiveFailures;
    private final List<JsonObject> views = new ArrayList<>();

    void add(TargetsSnapshot from, TargetView view) {
      if (worst == null || view.state().compareTo(worst.state()) > 0
        || view.state() == worst.state() && view.remainingMs() > worst.remainingMs()) {
        worst = view;
      }
      inFlight += view.inFlight();
      requests += view.requests();
      failures += view.failures();
      consecutiveFailures = Math.max(consecutiveFailures, view.consecutiveFailures());
      views.add(new JsonObject().put("node", from.node()).put("instance", from.instance())
        .put("state", view.state().name()));
    }

    JsonObject toJson(long nowMs) {
      JsonObject json = worst.toJson()
        .put("inFlight", inFlight)
        .put("requests", requests)
        .put("failures", failures)
        .put("consecutiveFailures", consecutiveFailures)
        .put("views", new JsonArray(new ArrayList<>(views)));
      if (worst.remainingMs() > 0) {
        // For a person reading it; only the duration crossed the bus.
        json.put("until", Instant.ofEpochMilli(nowMs + worst.remainingMs()).toString());
      }
      return json;
    }
  }
}
