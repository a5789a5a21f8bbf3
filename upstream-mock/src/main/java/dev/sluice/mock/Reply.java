package dev.sluice.mock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * One finished answer: status, JSON body and at most one extra header. Endpoints build replies
 * and never touch the response, so latency and failure injection can wrap any endpoint, and the
 * response is written in exactly one place ({@link #writeTo}).
 */
record Reply(int status, Buffer body, CharSequence headerName, CharSequence headerValue,
             List<Map.Entry<String, String>> moreHeaders) {
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  /**
   * The benchmark target. Encoded once: a Buffer handed to {@code end()} is sliced, never
   * consumed, so every response can share it (treated as a constant, never written to).
   */
  static final Reply STATIC_OK = new Reply(200, Buffer.buffer("{\"ok\":true}"), null, null);

  Reply(int status, Buffer body, CharSequence headerName, CharSequence headerValue) {
    this(status, body, headerName, headerValue, List.of());
  }

  static Reply json(int status, JsonObject body) {
    return new Reply(status, body.toBuffer(), null, null);
  }

  Reply withHeader(CharSequence name, CharSequence value) {
    return new Reply(status, body, name, value, moreHeaders);
  }

  /** Any number of headers more (names may repeat), as the cache endpoint is asked for. */
  Reply withHeaders(List<Map.Entry<String, String>> headers) {
    return new Reply(status, body, headerName, headerValue, List.copyOf(headers));
  }

  /** Adds {@code Retry-After} when the caller asked for one (seconds may be null). */
  Reply withRetryAfter(Long seconds) {
    return seconds == null ? this : withHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
  }

  void writeTo(HttpServerResponse response) {
    if (response.closed()) {
      return; // the client gave up (e.g. during a /delay); there is no one left to answer
    }
    response.setStatusCode(status);
    if (headerName != null) {
      response.putHeader(headerName, headerValue);
    }
    moreHeaders.forEach(h -> response.headers().add(h.getKey(), h.getValue()));
    if (mustNotHaveBody(status)) {
      response.end();
      return;
    }
    if (!response.headers().contains(HttpHeaders.CONTENT_TYPE)) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    }
    // The returned future only fails when the connection went away mid-write: nothing to do.
    response.end(body);
  }

  /** RFC 9110: 204, 205 and 304 carry no content. */
  private static boolean mustNotHaveBody(int status) {
    return status == 204 || status == 205 || status == 304;
  }
}
