package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code /flaky/<key>?fail=N[&retryAfter=<s>]}: the first N calls for a key answer 503
 * {@code {"status":503,"key":..,"call":k}} (with {@code Retry-After} when asked), later ones
 * 200 {@code {"key":..,"call":k}}. The count is per key, whatever N each call carries, so a
 * retry test picks a fresh key and needs no reset. Only {@code POST /__mock/reset} forgets keys.
 * The key is the raw rest of the path, slashes included.
 */
final class FlakyEndpoint implements Endpoint {
  static final long MAX_FAIL = 1_000_000;

  // Touched only from this verticle instance's event loop.
  private final Map<String, long[]> callsByKey = new HashMap<>();

  @Override
  public Future<Reply> serve(HttpServerRequest request, String parameter) {
    if (parameter.isEmpty()) {
      throw new BadInputException("key", "missing; use /flaky/<key>?fail=N");
    }
    long fail = Numbers.parseWhole("fail", QueryParams.get(request, "fail"), 0, MAX_FAIL);
    Long retryAfter = QueryParams.retryAfter(request);
    long call = ++callsByKey.computeIfAbsent(parameter, key -> new long[1])[0];
    JsonObject body = new JsonObject().put("key", parameter).put("call", call);
    Reply reply = call <= fail
        ? Reply.json(503, new JsonObject().put("status", 503).mergeIn(body)).withRetryAfter(retryAfter)
        : Reply.json(200, body);
    return Future.succeededFuture(reply);
  }

  void reset() {
    callsByKey.clear();
  }
}
