package dev.sluice.admin;

import dev.sluice.gateway.cluster.SnapshotResponder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Asks every gateway instance in the cluster for its view: publishes {@code {"replyTo": …}} on
 * {@code sluice.admin.snapshot} and keeps what arrives within {@link #BOUND_MS}. The answer always
 * comes; an instance that is too slow is simply not in it.
 */
final class SnapshotGatherer {
  static final long BOUND_MS = 300;

  private final Vertx vertx;

  SnapshotGatherer(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<List<JsonObject>> gather() {
    return gather(SnapshotResponder.ADDRESS);
  }

  /** The same, from every instance that answers {@code address} (e.g. {@code sluice.targets.snapshot}). */
  Future<List<JsonObject>> gather(String address) {
    String replyTo = "sluice.admin.snapshot.reply." + UUID.randomUUID();
    List<JsonObject> views = new ArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(replyTo, m -> views.add(m.body()));
    return consumer.completion()
      .compose(v -> {
        vertx.eventBus().publish(address, new JsonObject().put("replyTo", replyTo));
        return vertx.timer(BOUND_MS);
      })
      .eventually(consumer::unregister)
      .map(t -> List.copyOf(views));
  }
}
