package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;

/**
 * Refuses a body whose declared Content-Length is over {@code http.maxBodyBytes} before a byte of
 * it is read. Nothing is read here: the body streams when the request is forwarded, and a
 * chunked body is refused there as soon as it passes the limit.
 */
final class BodyStage implements GatewayStage {
  private final long maxBodyBytes;

  BodyStage(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    String declared = exchange.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null) {
      long length = parseLength(declared);
      if (maxBodyBytes > 0 && length > maxBodyBytes) {
        return Future.failedFuture(GatewayException.of(GatewayError.PAYLOAD_TOO_LARGE,
          "request body exceeds " + maxBodyBytes + " bytes"));
      }
      exchange.bodyLength(length);
    }
    return exchange.proceed();
  }

  /** The decoder has already refused a malformed or repeated Content-Length; this one is a number. */
  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
