package dev.sluice.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Scatter-gather over the event bus for views that every gateway instance holds (circuits,
 * targets): the asker publishes {@code {"replyTo": <fresh address>}} and takes whatever answers
 * arrive within a bound. Request/reply would take the first answer only; a dead or slow instance
 * must cost the asker the bound, never an error.
 */
public final class Gathering {
  private Gathering() {
  }

  /** Every answer to {@code address} that arrives within {@code boundMs}. */
  public static Future<List<JsonObject>> gather(Vertx vertx, String address, long boundMs) {
    String replyTo = address + ".reply." + UUID.randomUUID();
    List<JsonObject> answers = new ArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(replyTo, m -> answers.add(m.body()));
    return consumer.completion()
      .compose(v -> {
        vertx.eventBus().publish(address, new JsonObject().put("replyTo", replyTo));
        return vertx.timer(boundMs);
      })
      .eventually(consumer::unregister)
      .map(t -> List.copyOf(answers));
  }

  /** Answers one gathering ask with {@code view}; an ask without a reply address is ignored. */
  public static void answer(Vertx vertx, Message<JsonObject> ask, JsonObject view) {
    String replyTo = ask.body() == null ? null : ask.body().getString("replyTo");
    if (replyTo != null) {
      vertx.eventBus().send(replyTo, view);
    }
  }
}
