package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * One mock endpoint. It is called from the request handler, so it may set body handlers, and
 * returns the reply to send, possibly later; it never writes the response itself.
 */
@FunctionalInterface
interface Endpoint {
  /**
   * @param parameter the raw path after the endpoint's prefix ({@code "503"} for
   *     {@code /status/503}); empty for endpoints without one
   */
  Future<Reply> serve(HttpServerRequest request, String parameter);
}
