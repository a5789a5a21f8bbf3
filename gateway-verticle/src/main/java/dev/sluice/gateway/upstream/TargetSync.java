package dev.sluice.gateway.upstream;

import dev.sluice.gateway.ClusterMerges;
import dev.sluice.gateway.Gathering;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Shares one verticle instance's target verdicts with every instance of every node, and applies
 * theirs: a target ejected anywhere is ejected everywhere, for the same duration. The ejecting
 * instance also announces the end (RETURNED), which ends it for an instance that took a longer
 * duration from the map on joining. The map {@code sluice.targets} holds each verdict while it
 * lasts (an ejection's entry expires with it, by the cluster's own clock), so a node that joins
 * starts with the cluster's ejections. The same path serves a single node with several instances.
 */
public final class TargetSync implements TargetListener {
  private static final Logger LOG = LoggerFactory.getLogger(TargetSync.class);

  private final Vertx vertx;
  private final String node;
  private final String instance;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private Supplier<UpstreamTargets> targets;
  private AsyncMap<String, JsonObject> verdicts;
  private MessageConsumer<Object> merges;

  public TargetSync(Vertx vertx, String node, String instance) {
    this.vertx = vertx;
    this.node = node;
    this.instance = instance;
  }

  public String node() {
    return node;
  }

  public String instance() {
    return instance;
  }

  /** Subscribes, then takes the cluster's verdicts before the instance takes traffic. */
  public Future<Void> start(Supplier<UpstreamTargets> targets) {
    this.targets = targets;
    merges = ClusterMerges.onMerged(vertx, () -> subscribe().onComplete(v -> catchUpAll(targets.get())));
    return merges.completion()
      .compose(v -> subscribe())
      .compose(v -> vertx.sharedData().<String, JsonObject>getAsyncMap(TargetEvent.MAP))
      .compose(map -> {
        verdicts = map;
        return catchUpAll(targets.get());
      });
  }

  /**
   * (Re)registers this instance's consumers; again after a split healed, as the circuits do
   * ({@code CircuitSync}): the merge does not bring back the other side's subscriptions.
   */
  private Future<Void> subscribe() {
    List<MessageConsumer<JsonObject>> old = List.copyOf(consumers);
    consumers.clear();
    consumers.add(vertx.eventBus().<JsonObject>consumer(TargetEvent.ADDRESS,
      m -> onEvent(TargetEvent.fromJson(m.body()))));
    consumers.add(vertx.eventBus().<JsonObject>consumer(TargetsSnapshot.ADDRESS, this::answerSnapshot));
    return Future.join(old.stream().map(MessageConsumer::unregister).toList())
      .transform(ar -> Future.all(consumers.stream().map(MessageConsumer::completion).toList()))
      .mapEmpty();
  }

  /** Applies the map's verdicts to every target of {@code fresh} (at start, or after a route reload). */
  public Future<Void> catchUpAll(UpstreamTargets fresh) {
    List<Future<Void>> reads = new ArrayList<>();
    for (RouteTargets route : fresh.all()) {
      for (Target target : route.targets()) {
        for (boolean outlier : new boolean[] {true, false}) {
          reads.add(verdicts.get(TargetEvent.mapKey(route.route(), target.name(), outlier)).map(json -> {
            if (json != null) {
              apply(route, TargetEvent.fromJson(json));
            }
            return null;
          }));
        }
      }
    }
    return Future.all(reads).mapEmpty();
  }

  @Override
  public void ejected(String route, Target target, long forMs, int sequence, String reason) {
    LOG.warn("target {} of route {} ejected for {} ms ({})", target.name(), route, forMs, reason);
    share(new TargetEvent(route, target.name(), TargetEvent.Kind.EJECTED, forMs, sequence, node, instance, reason));
    vertx.setTimer(forMs, t -> {
      // Ours ended unless a newer ejection (ours or another's) took its place.
      if (target.state().ejections() == sequence) {
        share(new TargetEvent(route, target.name(), TargetEvent.Kind.RETURNED, 0, sequence, node, instance,
          "ejection over"));
      }
    });
  }

  /** The health checker's verdict: applied here at once, then shared. */
  void health(String route, String target, boolean down, String reason) {
    TargetEvent event = new TargetEvent(route, target, down ? TargetEvent.Kind.UNHEALTHY : TargetEvent.Kind.HEALTHY,
      0, 0, node, instance, reason);
    if (down) {
      LOG.warn("target {} of route {} is unhealthy ({})", target, route, reason);
    } else {
      LOG.info("target {} of route {} is healthy ({})", target, route, reason);
    }
    targets.get().find(route).ifPresent(r -> apply(r, event));
    share(event);
  }

  /** The map first, so that whoever reads it after hearing the event finds the same. */
  private void share(TargetEvent event) {
    JsonObject json = event.toJson();
    Future<Void> stored = switch (event.kind()) {
      case EJECTED -> verdicts.put(event.mapKey(), json, event.forMs());
      case UNHEALTHY -> verdicts.put(event.mapKey(), json);
      case RETURNED -> verdicts.remove(event.mapKey()).mapEmpty();
      // A pass ends an ejection too: a node that joins later must not find it in the map.
      case HEALTHY -> Future.all(verdicts.remove(event.mapKey()),
        verdicts.remove(TargetEvent.mapKey(event.route(), event.target(), true))).mapEmpty();
    };
    stored.onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("could not store {} of target {}: {}", event.kind(), event.target(), ar.cause().getMessage());
      }
      vertx.eventBus().publish(TargetEvent.ADDRESS, json);
    });
  }

  private void onEvent(TargetEvent event) {
    if (!event.isFrom(node, instance)) {
      targets.get().find(event.route()).ifPresent(route -> apply(route, event));
    }
  }

  private static void apply(RouteTargets route, TargetEvent event) {
    switch (event.kind()) {
      case EJECTED -> route.ejectedElsewhere(event.target(), event.forMs(), event.sequence(), event.node(),
        event.reason());
      case RETURNED -> route.returnedElsewhere(event.target(), event.sequence(), event.node());
      case UNHEALTHY -> route.health(event.target(), true, event.node(), event.reason());
      case HEALTHY -> route.health(event.target(), false, event.node(), event.reason());
    }
  }

  private void answerSnapshot(Message<JsonObject> message) {
    JsonObject view = new TargetsSnapshot(node, instance,
      targets.get().all().stream().map(RouteTargets::view).toList()).toJson();
    Gathering.answer(vertx, message, view);
  }

  public Future<Void> stop() {
    List<Future<Void>> unregistered = new ArrayList<>(consumers.stream().map(MessageConsumer::unregister).toList());
    if (merges != null) {
      unregistered.add(merges.unregister());
    }
    return Future.all(unregistered).mapEmpty();
  }
}
