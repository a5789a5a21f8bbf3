package dev.sluice.gateway.circuit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * Answers {@code sluice.admin.snapshot} with this instance's view: node, instance, and per route
 * the circuit's state and failure count. Every instance registers, so a plain request reaches one
 * of them; to gather all, the asker publishes {@code {"replyTo": "<address>"}} and collects what
 * arrives there within its bound.
 */
public final class SnapshotResponder {
  public static final String ADDRESS = "sluice.admin.snapshot";

  private final Vertx vertx;
  private final CircuitSync sync;
  private final Supplier<RouteCircuits> circuits;
  private final Supplier<JsonObject> limiter;
  private MessageConsumer<JsonObject> consumer;

  public SnapshotResponder(Vertx vertx, CircuitSync sync, Supplier<RouteCircuits> circuits, Supplier<JsonObject> limiter) {
    this.vertx = vertx;
    this.sync = sync;
    this.circuits = circuits;
    this.limiter = limiter;
  }

  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(ADDRESS, this::answer);
    return consumer.completion();
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void answer(Message<JsonObject> message) {
    JsonObject snapshot = snapshot();
    String replyTo = message.body() == null ? null : message.body().getString("replyTo");
    if (replyTo != null) {
      vertx.eventBus().send(replyTo, snapshot);
    } else if (message.replyAddress() != null) {
      message.reply(snapshot);
    }
  }

  public JsonObject snapshot() {
    JsonArray routes = new JsonArray();
    for (RouteCircuit circuit : circuits.get().all()) {
      routes.add(new JsonObject()
        .put("route", circuit.route())
        .put("state", circuit.state().name())
        .put("failures", circuit.failureCount())
        .put("openedAt", circuit.openedAtMs())
        .put("reason", circuit.lastReason()));
    }
    return new JsonObject()
      .put("node", sync.node())
      .put("instance", sync.instance())
      .put("routes", routes)
      .put("limiter", limiter.get());
  }
}
