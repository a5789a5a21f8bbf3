package dev.sluice.mock;

import io.vertx.core.http.HttpServerRequest;

/** The query parameters the endpoints share, parsed and range-checked in one place. */
final class QueryParams {
  /** A day: far beyond any retry budget, small enough to catch a unit mix-up (ms for s). */
  static final long MAX_RETRY_AFTER_SECONDS = 86_400;

  private QueryParams() {
  }

  /** {@code retryAfter=<seconds>}, or null when absent. */
  static Long retryAfter(HttpServerRequest request) {
    String text = get(request, "retryAfter");
    return text == null ? null : Numbers.parseWhole("retryAfter", text, 0, MAX_RETRY_AFTER_SECONDS);
  }

  /** The first value of a parameter, or null; a malformed query is the caller's error (400). */
  static String get(HttpServerRequest request, String name) {
    try {
      return request.getParam(name);
    } catch (IllegalArgumentException e) {
      // Netty's decoder rejects bad percent-escapes such as "%zz".
      throw new BadInputException("query", "malformed: " + e.getMessage());
    }
  }
}
