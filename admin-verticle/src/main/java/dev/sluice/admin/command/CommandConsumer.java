package dev.sluice.admin.command;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Answers {@link AdminCommand}s on {@link AdminCommand#ADDRESS}: the reply is what the HTTP write
 * answers with 200; a failure is the reply's failure, its code the HTTP status and its message the
 * admin API's JSON error body. Whoever can send on the cluster's event bus is trusted, as for every
 * other address; what comes over a bridge has passed the bridge's token check.
 */
public final class CommandConsumer {
  private final Vertx vertx;
  private final AdminCommands commands;
  private MessageConsumer<Object> consumer;

  public CommandConsumer(Vertx vertx, AdminCommands commands) {
    this.vertx = vertx;
    this.commands = commands;
  }

  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(AdminCommand.ADDRESS, this::handle);
    return consumer.completion();
  }

  private void handle(Message<Object> message) {
    Future<JsonObject> result;
    try {
      result = commands.run(AdminCommand.fromJson(message.body()));
    } catch (CommandFailure bad) {
      result = Future.failedFuture(bad);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else if (ar.cause() instanceof CommandFailure failure) {
        message.fail(failure.status(), failure.asReplyMessage());
      } else {
        message.fail(500, new CommandFailure(500, "INTERNAL", String.valueOf(ar.cause().getMessage())).asReplyMessage());
      }
    });
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
