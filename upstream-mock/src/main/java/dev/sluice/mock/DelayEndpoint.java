package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/** {@code /delay/<ms>}: answers 200 {@code {"delayMs":ms}} once ms have passed since arrival. */
final class DelayEndpoint implements Endpoint {
  /** A minute: longer than any sane gateway timeout, short enough not to pin connections. */
  static final long MAX_DELAY_MS = 60_000;

  private final Vertx vertx;

  DelayEndpoint(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<Reply> serve(HttpServerRequest request, String parameter) {
    long delayMs = Numbers.parseWhole("ms", parameter, 0, MAX_DELAY_MS);
    return Delays.after(vertx, delayMs)
        .map(v -> Reply.json(200, new JsonObject().put("delayMs", delayMs)));
  }
}
