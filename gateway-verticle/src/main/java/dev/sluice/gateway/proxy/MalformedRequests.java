package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Answers what could not be decoded as a request: 414 for a too-long request line, 431 for
 * too-large headers, 400 for the rest (a garbled request line, a bad header, ambiguous framing),
 * in our JSON error model, never a 5xx and never with the client's bytes. Vert.x closes the
 * connection after it: nothing more is read from a client that could not be understood.
 */
final class MalformedRequests implements Handler<HttpServerRequest> {
  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    GatewayError error = errorFor(cause);
    String message = switch (error) {
      case URI_TOO_LONG -> "request line too long";
      case HEADERS_TOO_LARGE -> "request headers too large";
      default -> cause instanceof StrictRequestDecoder.AmbiguousFraming
        || cause instanceof StrictRequestDecoder.UnsupportedVersion ? cause.getMessage() : "malformed request";
    };
    request.response()
      .setStatusCode(error.status())
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
      .end(new JsonObject()
        .put("status", "error")
        .put("code", error.name())
        .put("message", message)
        .toBuffer());
  }

  private static GatewayError errorFor(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return GatewayError.URI_TOO_LONG;
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return GatewayError.HEADERS_TOO_LARGE;
    }
    return GatewayError.BAD_REQUEST;
  }
}
