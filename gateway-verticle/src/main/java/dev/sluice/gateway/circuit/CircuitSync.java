package dev.sluice.gateway.circuit;

import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps one verticle instance's circuits in step with every other instance, on this node and on
 * every node of the cluster: publishes the transitions this instance makes and the failures it
 * sees (batched), applies what the others publish, and starts from the cluster map's last word.
 * The same path serves a single node with several instances: a local event bus and local
 * shared data behave alike.
 */
public final class CircuitSync implements CircuitListener {
  private static final Logger LOG = LoggerFactory.getLogger(CircuitSync.class);

  private final Vertx vertx;
  private final String node;
  private final String instance;
  private final FailureBatcher batcher;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private Supplier<RouteCircuits> circuits;
  private AsyncMap<String, JsonObject> lastEvents;

  public CircuitSync(Vertx vertx, String node, String instance) {
    this.vertx = vertx;
    this.node = node;
    this.instance = instance;
    this.batcher = new FailureBatcher(vertx, this::publishFailures);
  }

  public String node() {
    return node;
  }

  public String instance() {
    return instance;
  }

  /** Subscribes, then brings every circuit to the cluster's state before the instance takes traffic. */
  public Future<Void> start(Supplier<RouteCircuits> circuits) {
    this.circuits = circuits;
    consumers.add(vertx.eventBus().<JsonObject>consumer(CircuitEvent.ADDRESS, m -> onEvent(CircuitEvent.fromJson(m.body()))));
    consumers.add(vertx.eventBus().<JsonObject>consumer(FailureReport.ADDRESS, m -> onFailures(FailureReport.fromJson(m.body()))));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
      .compose(v -> vertx.sharedData().<String, JsonObject>getAsyncMap(CircuitEvent.MAP))
      .compose(map -> {
        lastEvents = map;
        return catchUpAll(circuits.get());
      })
      .mapEmpty();
  }

  /**
   * Applies the cluster map's last event for the circuit's route if it is news to this instance.
   *
   * @param joining true at start-up: a HALF_OPEN there means a probe is (or was) in flight, which
   *                for a newcomer is the same as OPEN
   */
  Future<Void> catchUp(RouteCircuit circuit, boolean joining) {
    return lastEvents.get(circuit.route()).map(json -> {
      if (json != null) {
        CircuitEvent event = CircuitEvent.fromJson(json);
        CircuitBreakerState state = joining && event.state() == CircuitBreakerState.HALF_OPEN
          ? CircuitBreakerState.OPEN : event.state();
        if (isNews(circuit, state, event.openedAt())) {
          circuit.apply(state, event.openedAt(), event.reason());
        }
      }
      return null;
    });
  }

  private static boolean isNews(RouteCircuit circuit, CircuitBreakerState state, long openedAt) {
    return switch (state) {
      case CLOSED -> circuit.state() != CircuitBreakerState.CLOSED;
      case OPEN -> circuit.state() == CircuitBreakerState.CLOSED || openedAt > circuit.openedAtMs();
      case HALF_OPEN -> false;
    };
  }

  /** Brings circuits that are new to this instance (at start, or after a route reload) to the cluster's state. */
  public Future<Void> catchUpAll(RouteCircuits fresh) {
    return Future.all(fresh.all().stream().map(c -> catchUp(c, true)).toList()).mapEmpty();
  }

  RouteCircuits circuits() {
    return circuits.get();
  }

  @Override
  public void transitioned(RouteCircuit circuit, CircuitBreakerState to, String reason) {
    CircuitEvent event = new CircuitEvent(circuit.route(), to, node, instance, circuit.failureCount(),
      circuit.openedAtMs(), reason);
    LOG.info("circuit {} -> {} ({})", circuit.route(), to, reason);
    JsonObject json = event.toJson();
    // The map first: an instance that wins the probe lock after us reads it before deciding.
    Future<Void> stored = lastEvents == null ? Future.succeededFuture() : lastEvents.put(circuit.route(), json);
    stored.onComplete(ar -> vertx.eventBus().publish(CircuitEvent.ADDRESS, json));
  }

  @Override
  public void failed(RouteCircuit circuit) {
    batcher.add(circuit.route());
  }

  private void publishFailures(String route, long failures) {
    vertx.eventBus().publish(FailureReport.ADDRESS, new FailureReport(route, node, instance, failures).toJson());
  }

  private void onEvent(CircuitEvent event) {
    if (!event.isFrom(node, instance)) {
      circuits.get().find(event.route()).ifPresent(c -> c.apply(event.state(), event.openedAt(), event.reason()));
    }
  }

  private void onFailures(FailureReport report) {
    if (!report.isFrom(node, instance)) {
      circuits.get().find(report.route()).ifPresent(c -> c.countFailures(report.failures()));
    }
  }

  public Future<Void> stop() {
    batcher.stop();
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }
}
