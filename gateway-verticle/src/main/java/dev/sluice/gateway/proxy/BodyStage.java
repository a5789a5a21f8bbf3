package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads the request body into memory, up to {@code maxBodyBytes}. A declared Content-Length over
 * the limit is refused before any byte is read; a chunked body is refused as soon as it passes the
 * limit, and what follows is never buffered (the connection is closed after the 413).
 */
final class BodyStage implements GatewayStage {
  private final long maxBodyBytes;

  BodyStage(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    HttpServerRequest request = exchange.request();
    if (!carriesBody(request)) {
      return exchange.proceed();
    }
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && parseLength(declared) > maxBodyBytes) {
      return Future.failedFuture(tooLarge());
    }
    return read(request).compose(body -> {
      exchange.body(body);
      return exchange.proceed();
    });
  }

  static boolean carriesBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !"0".equals(length.trim())) || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  private Future<Buffer> read(HttpServerRequest request) {
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (body.length() + chunk.length() > maxBodyBytes) {
        request.handler(ignored -> { });
        promise.tryFail(tooLarge());
      } else {
        body.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> promise.tryComplete(body));
    return promise.future();
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private GatewayException tooLarge() {
    return GatewayException.of(GatewayError.PAYLOAD_TOO_LARGE, "request body exceeds " + maxBodyBytes + " bytes");
  }
}
