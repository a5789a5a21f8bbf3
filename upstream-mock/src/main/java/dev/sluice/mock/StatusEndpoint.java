package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * {@code /status/<code>[?retryAfter=<s>]}: answers that status with {@code {"status":code}}
 * (no body for 204, 205, 304). Codes below 200 are refused: a 1xx is not a final answer, and a
 * client sent one would wait for the real response forever.
 */
final class StatusEndpoint implements Endpoint {
  @Override
  public Future<Reply> serve(HttpServerRequest request, String parameter) {
    int status = (int) Numbers.parseWhole("code", parameter, 200, 599);
    Long retryAfter = QueryParams.retryAfter(request);
    return Future.succeededFuture(
        Reply.json(status, new JsonObject().put("status", status)).withRetryAfter(retryAfter));
  }
}
