package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * {@code /__mock/*}: how a test steers the mock and reads what it saw. These calls are never
 * counted in the stats and never delayed or failed by the fault settings, so a test can always
 * reach them.
 *
 * <ul>
 *   <li>{@code GET /__mock/config} → {@code {"failureRate":0.0,"latencyMs":0}}
 *   <li>{@code POST /__mock/config} with some of those fields → the new settings, or 400
 *       {@code {"error":"BAD_REQUEST","field":"failureRate","message":"failureRate: ..."}}
 *   <li>{@code GET /__mock/stats} → see {@link CallStats}
 *   <li>{@code POST /__mock/reset} → clears stats, flaky counters and config; {@code {"reset":true}}
 * </ul>
 */
final class ControlApi {
  static final String PREFIX = "/__mock";
  /** A config document is a few dozen bytes; anything near this is not one. */
  static final long MAX_CONFIG_BYTES = 64 * 1024;

  private final CallStats stats;
  private final FaultInjector faults;
  private final FlakyEndpoint flaky;

  ControlApi(CallStats stats, FaultInjector faults, FlakyEndpoint flaky) {
    this.stats = stats;
    this.faults = faults;
    this.flaky = flaky;
  }

  /** Whether the path is in the control namespace (so it is not mock traffic). */
  static boolean owns(String path) {
    return path.startsWith(PREFIX)
        && (path.length() == PREFIX.length() || path.charAt(PREFIX.length()) == '/');
  }

  Future<Reply> serve(HttpServerRequest request) {
    HttpMethod method = request.method();
    switch (request.path()) {
      case PREFIX + "/config":
        if (method == HttpMethod.GET) {
          return ok(faults.settings().toJson());
        }
        if (method == HttpMethod.POST) {
          return RequestBody.read(request, MAX_CONFIG_BYTES).map(this::updateConfig);
        }
        return methodNotAllowed("GET, POST");
      case PREFIX + "/stats":
        return method == HttpMethod.GET ? ok(stats.toJson()) : methodNotAllowed("GET");
      case PREFIX + "/reset":
        return method == HttpMethod.POST ? ok(reset()) : methodNotAllowed("POST");
      default:
        return Future.succeededFuture(Reply.json(404, Failures.error("NOT_FOUND",
            "no control endpoint " + request.path() + "; try /__mock/config, /__mock/stats, /__mock/reset")));
    }
  }

  private Reply updateConfig(Buffer body) {
    FaultSettings updated = faults.settings().with(jsonObject(body));
    faults.apply(updated);
    return Reply.json(200, updated.toJson());
  }

  private JsonObject reset() {
    stats.clear();
    flaky.reset();
    faults.apply(FaultSettings.NONE);
    return new JsonObject().put("reset", true);
  }

  private static JsonObject jsonObject(Buffer body) {
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new BadInputException("body", "not valid JSON");
    }
    if (!(value instanceof JsonObject object)) {
      throw new BadInputException("body", "must be a JSON object like {\"failureRate\":0.5,\"latencyMs\":100}");
    }
    return object;
  }

  private static Future<Reply> ok(JsonObject body) {
    return Future.succeededFuture(Reply.json(200, body));
  }

  private static Future<Reply> methodNotAllowed(String allowed) {
    return Future.succeededFuture(Reply.json(405, Failures.error("METHOD_NOT_ALLOWED", "allowed: " + allowed))
        .withHeader(HttpHeaders.ALLOW, allowed));
  }
}
