package dev.sluice.gateway.circuit;

import dev.sluice.gateway.Gathering;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Everything about circuits that crosses the event bus or lives in cluster-wide shared data, in
 * one place, for gateway instances and the admin verticle alike:
 * <ul>
 *   <li>{@link CircuitEvent#ADDRESS} (publish): transitions;</li>
 *   <li>{@link FailureReport#ADDRESS} (publish): batched failure counts;</li>
 *   <li>{@link CircuitEvent#MAP}: each route's last CLUSTER-scope event, the higher version kept;</li>
 *   <li>the probe lock {@link #PROBE_LOCK_PREFIX}{@code <route>};</li>
 *   <li>{@link #SNAPSHOT_ADDRESS}: every instance's {@link InstanceSnapshot}, gathered on request.</li>
 * </ul>
 * Each message is a record whose {@code toJson}/{@code fromJson} are read and written here only.
 */
public final class CircuitBus {
  public static final String PROBE_LOCK_PREFIX = "sluice.probe.";
  /** This node's own lock in front of the cluster one (a name of its own: unclustered, both are local). */
  static final String PROBE_LOCAL_LOCK_PREFIX = "sluice.probe.local.";
  public static final String SNAPSHOT_ADDRESS = "sluice.admin.snapshot";
  /** Asking for the probe lock waits this long at most: a request that does not win answers 503 at once. */
  static final long PROBE_LOCK_WAIT_MS = 20;
  /** Concurrent writers of one route's last word are rare (a transition each); a few rounds settle them. */
  private static final int MAX_MAP_ROUNDS = 4;

  private final Vertx vertx;
  private Future<AsyncMap<String, JsonObject>> map;

  public CircuitBus(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Stores a CLUSTER-scope event as its route's last word (unless the map already holds a higher
   * version), then publishes it: the map first, so that an instance that wins the probe lock after
   * us, or starts, reads it. A NODE-scope event is only published: it is no one else's business.
   * It is published even when the map cannot be written: the instances that hear it still follow.
   */
  public Future<Void> publish(CircuitEvent event) {
    Future<Void> stored = event.scope() == CircuitScope.CLUSTER
      ? map().compose(m -> storeIfNewer(m, event, MAX_MAP_ROUNDS))
      : Future.succeededFuture();
    return stored.andThen(ar -> vertx.eventBus().publish(CircuitEvent.ADDRESS, event.toJson()));
  }

  private Future<Void> storeIfNewer(AsyncMap<String, JsonObject> m, CircuitEvent event, int roundsLeft) {
    return m.get(event.route()).compose(stored -> {
      if (stored != null) {
        if (!event.supersedes(CircuitEvent.fromJson(stored))) {
          return Future.succeededFuture();
        }
      }
      JsonObject json = event.toJson();
      Future<Boolean> written = stored == null
        ? m.putIfAbsent(event.route(), json).map(previous -> previous == null)
        : m.replaceIfPresent(event.route(), stored, json);
      return written.compose(won -> won || roundsLeft <= 1 ? Future.<Void>succeededFuture()
        : storeIfNewer(m, event, roundsLeft - 1));
    });
  }

  /** The route's last CLUSTER-scope event, or null if it never left CLOSED. */
  public Future<CircuitEvent> lastWord(String route) {
    return map().compose(m -> m.get(route)).map(json -> json == null ? null : CircuitEvent.fromJson(json));
  }

  public MessageConsumer<JsonObject> onEvent(Handler<CircuitEvent> handler) {
    return vertx.eventBus().consumer(CircuitEvent.ADDRESS, m -> handler.handle(CircuitEvent.fromJson(m.body())));
  }

  public void reportFailures(FailureReport report) {
    vertx.eventBus().publish(FailureReport.ADDRESS, report.toJson());
  }

  public MessageConsumer<JsonObject> onFailures(Handler<FailureReport> handler) {
    return vertx.eventBus().consumer(FailureReport.ADDRESS, m -> handler.handle(FailureReport.fromJson(m.body())));
  }

  /**
   * The probe lock, Hazelcast-wide when clustered. A holder that dies (kill -9) loses it when
   * Hazelcast removes the member.
   *
   * <p>This node's instances first take a local lock: vertx-hazelcast's lock is Hazelcast's IMap
   * lock, owned by the worker thread that took it and re-entrant, so two instances of one node
   * whose tries ran on the same worker thread both won it and both probed ({@code
   * OneProbePerRouteTest} saw it). One instance per node at a time reaches the cluster lock.
   *
   * @return the release action when this caller won; a failed future when another holds it
   */
  public Future<Runnable> tryProbeLock(String route) {
    return vertx.sharedData().getLocalLockWithTimeout(PROBE_LOCAL_LOCK_PREFIX + route, PROBE_LOCK_WAIT_MS)
      .compose(local -> vertx.sharedData().getLockWithTimeout(PROBE_LOCK_PREFIX + route, PROBE_LOCK_WAIT_MS)
        .<Runnable>map(cluster -> () -> {
          cluster.release();
          local.release();
        })
        .onFailure(err -> local.release()));
  }

  /**
   * An operator's order for a route, decided by the same state machine every instance runs:
   * it starts from the route's last word, so the order's version is above it and wins.
   *
   * @param resetTimeoutMs the route's, for the time left before a probe after a forced OPEN
   */
  public Future<CircuitEvent> order(String route, CircuitBreakerState to, long resetTimeoutMs, String node,
                                    String instance, String reason) {
    return lastWord(route).compose(last -> {
      List<CircuitEvent> decided = new ArrayList<>(1);
      // The admin keeps no circuit between orders: its clock stands at 0, so a state's probeAtMs
      // is the time left before the probe.
      CircuitStateMachine machine = new CircuitStateMachine(resetTimeoutMs, () -> 0L, new CircuitStateMachine.Listener() {
        @Override
        public void changed(CircuitState state) {
        }

        @Override
        public void decided(CircuitState state) {
          decided.add(CircuitEvent.of(route, state, state.probeAtMs(), node, instance, 0));
        }
      });
      if (last != null) {
        machine.follow(last.state(), last.scope(), last.version(), last.probeInMs(), last.reason());
      }
      if (to == CircuitBreakerState.OPEN) {
        machine.forceOpen(reason);
      } else {
        machine.forceClose(reason);
      }
      CircuitEvent event = decided.get(0);
      return publish(event).map(event);
    });
  }

  /** Answers snapshot requests with {@code snapshot}'s current value. */
  public MessageConsumer<JsonObject> answerSnapshots(Supplier<InstanceSnapshot> snapshot) {
    return vertx.eventBus().consumer(SNAPSHOT_ADDRESS,
      message -> Gathering.answer(vertx, message, snapshot.get().toJson()));
  }

  /**
   * Asks every gateway instance in the cluster for its view: publishes {@code {"replyTo": …}} and
   * keeps what arrives within {@code boundMs}. The answer always comes; an instance that is too
   * slow is simply not in it.
   */
  public Future<List<InstanceSnapshot>> gatherSnapshots(long boundMs) {
    return Gathering.gather(vertx, SNAPSHOT_ADDRESS, boundMs)
      .map(answers -> answers.stream().map(InstanceSnapshot::fromJson).toList());
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    if (map == null || map.failed()) {
      map = vertx.sharedData().getAsyncMap(CircuitEvent.MAP);
    }
    return map;
  }
}
