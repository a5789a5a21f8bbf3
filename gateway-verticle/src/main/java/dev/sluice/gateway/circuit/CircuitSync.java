package dev.sluice.gateway.circuit;

import dev.sluice.gateway.ClusterMerges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps one verticle instance's circuits in step with every other instance, on this node and on
 * every node of the cluster, over the {@link CircuitBus}: publishes the transitions this instance
 * decides and the failures it sees (batched, for the other nodes: this node's instances share
 * one {@link NodeCircuit} and see each other's failures at once), follows what the others publish
 * (the higher version wins), and starts from the cluster map's last word.
 */
public final class CircuitSync implements CircuitListener {
  private static final Logger LOG = LoggerFactory.getLogger(CircuitSync.class);

  private final Vertx vertx;
  private final CircuitBus bus;
  private final String node;
  private final String instance;
  private final FailureBatcher batcher;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private MessageConsumer<Object> merges;
  private Supplier<RouteCircuits> circuits;

  public CircuitSync(Vertx vertx, String node, String instance) {
    this.vertx = vertx;
    this.bus = new CircuitBus(vertx);
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

  public CircuitBus bus() {
    return bus;
  }

  /** Subscribes, then brings every circuit to the cluster's state before the instance takes traffic. */
  public Future<Void> start(Supplier<RouteCircuits> circuits) {
    this.circuits = circuits;
    merges = ClusterMerges.onMerged(vertx, () -> subscribe().onComplete(v -> reconcile()));
    return merges.completion().compose(v -> subscribe()).compose(v -> catchUpAll(circuits.get()));
  }

  /**
   * (Re)registers this instance's consumers. Again after a merge: while apart, this node's
   * Vert.x dropped the other side's subscriptions from its view, and a merge does not bring them
   * back; a registration makes it read the address's subscriptions from the merged map again.
   */
  private Future<Void> subscribe() {
    List<MessageConsumer<?>> old = List.copyOf(consumers);
    consumers.clear();
    consumers.add(bus.onEvent(this::onEvent));
    consumers.add(bus.onFailures(this::onFailures));
    return Future.join(old.stream().map(MessageConsumer::unregister).toList())
      .transform(ar -> Future.all(consumers.stream().map(MessageConsumer::completion).toList()))
      .mapEmpty();
  }

  /** Takes the cluster map's last word for the circuit's route, if it is news to this instance. */
  Future<Void> catchUp(RouteCircuit circuit) {
    return bus.lastWord(circuit.route()).map(last -> {
      if (last != null) {
        circuit.follow(last.asLastWord());
      }
      return null;
    });
  }

  /**
   * After a split healed: each side went on alone, so each circuit takes the map's last word if
   * it is newer, and puts its own back on the bus (and in the map) if its own is newer. Either way
   * the higher version ends up everywhere.
   */
  void reconcile() {
    for (RouteCircuit circuit : circuits.get().all()) {
      bus.lastWord(circuit.route()).onSuccess(last -> {
        if (last != null && circuit.follow(last.asLastWord())) {
          return;
        }
        // The node's instances share one view: only the one whose own is newer puts it back.
        CircuitState mine = circuit.view();
        if (mine.scope() == CircuitScope.CLUSTER && mine.version() > 0 && (last == null || mine.version() > last.version())) {
          LOG.info("circuit {} after a merge: republishing version {} ({})", circuit.route(), mine.version(),
            mine.state());
          bus.publish(CircuitEvent.of(circuit.route(), mine, circuit.msUntilProbe(), node, instance,
            circuit.failureCount()));
        }
      });
    }
  }

  /** Brings circuits that are new to this instance (at start, or after a route reload) to the cluster's state. */
  public Future<Void> catchUpAll(RouteCircuits fresh) {
    return Future.all(fresh.all().stream().map(this::catchUp).toList()).mapEmpty();
  }

  RouteCircuits circuits() {
    return circuits.get();
  }

  @Override
  public void transitioned(RouteCircuit circuit, CircuitState to) {
    LOG.info("circuit {} -> {} scope {} version {} ({})", circuit.route(), to.state(), to.scope(), to.version(),
      to.reason());
    bus.publish(CircuitEvent.of(circuit.route(), to, circuit.msUntilProbe(), node, instance, circuit.failureCount()));
  }

  @Override
  public void called(RouteCircuit circuit) {
    batcher.called(circuit.route());
  }

  @Override
  public void failed(RouteCircuit circuit) {
    batcher.failed(circuit.route());
  }

  private void publishFailures(String route, long seq, long calls, long failures) {
    bus.reportFailures(new FailureReport(route, node, instance, seq, calls, failures));
  }

  private void onEvent(CircuitEvent event) {
    // A NODE-scope circuit is its node's own: the other nodes keep serving.
    if (event.isFrom(node, instance) || event.scope() == CircuitScope.NODE && !event.node().equals(node)) {
      return;
    }
    circuits.get().find(event.route()).ifPresent(c -> c.follow(event));
  }

  /** Another node's report; this node's own failures reached its shared circuit when they happened. */
  private void onFailures(FailureReport report) {
    if (!report.node().equals(node)) {
      circuits.get().find(report.route())
        .ifPresent(c -> c.heard(report.node(), report.instance(), report.seq(), report.calls(), report.failures()));
    }
  }

  public Future<Void> stop() {
    batcher.stop();
    List<Future<Void>> unregistered = new ArrayList<>(consumers.stream().map(MessageConsumer::unregister).toList());
    if (merges != null) {
      unregistered.add(merges.unregister());
    }
    return Future.all(unregistered).mapEmpty();
  }
}
