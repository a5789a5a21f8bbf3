package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Applies {@link FaultSettings} to every non-control call: a call picked by failureRate is
 * answered 500 {@code {"status":500,"error":"INJECTED_FAILURE"}} without reaching its endpoint
 * (so it does not advance a flaky key), and every answer, failed or not, waits latencyMs more.
 */
final class FaultInjector {
  private static final Reply INJECTED_FAILURE = Reply.json(500,
      new JsonObject().put("status", 500).put("error", "INJECTED_FAILURE"));

  private final Vertx vertx;
  // Not thread-safe, and needs not be: only this verticle instance's event loop draws from it.
  private final SplittableRandom random = new SplittableRandom();
  private FaultSettings settings = FaultSettings.NONE;

  FaultInjector(Vertx vertx) {
    this.vertx = vertx;
  }

  FaultSettings settings() {
    return settings;
  }

  void apply(FaultSettings settings) {
    this.settings = settings;
  }

  Future<Reply> serve(HttpServerRequest request, Supplier<Future<Reply>> endpoint) {
    FaultSettings now = settings;
    Future<Reply> reply = pickFailure(now.failureRate())
        ? RequestBody.discard(request).map(INJECTED_FAILURE)
        : endpoint.get();
    if (now.latencyMs() == 0) {
      return reply; // the benchmark path: no timer, no extra future
    }
    // Latency counts from the moment the endpoint's answer is ready, so it adds to /delay.
    return reply.compose(r -> Delays.after(vertx, now.latencyMs()).map(r));
  }

  private boolean pickFailure(double failureRate) {
    return failureRate > 0 && (failureRate >= 1 || random.nextDouble() < failureRate);
  }
}
