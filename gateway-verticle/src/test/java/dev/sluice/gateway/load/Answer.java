package dev.sluice.gateway.load;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** One answer of the gateway, as a test looks at it, with when it arrived (monotonic). */
record Answer(int status, String code, String retryAfter, String connection, long arrivedNanos) {
  static Future<Answer> get(HttpClient client, int port, String path) {
    return client.request(HttpMethod.GET, port, "127.0.0.1", path)
      .compose(request -> request.send())
      .compose(response -> response.body().map(body -> new Answer(response.statusCode(), code(body.toString()),
        response.getHeader("Retry-After"), response.getHeader("Connection"), System.nanoTime())));
  }

  /** Sluice's error code, or null for an upstream's answer. */
  private static String code(String body) {
    try {
      return body.startsWith("{") ? new JsonObject(body).getString("code") : null;
    } catch (DecodeException notJson) {
      return null;
    }
  }
}
