package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place an answer is written: the upstream's reply, or Sluice's JSON error body. */
final class ReplyWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyWriter.class);
  private static final long DISCARD_GRACE_MS = 2000;
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private ReplyWriter() {
  }

  /**
   * @param beforeEnd runs once the status and headers are set and before the answer is sent (or
   *                  at once when the client is gone), so that whoever has the answer also finds
   *                  it counted
   */
  static void write(Exchange exchange, AsyncResult<ProxyReply> result, Runnable beforeEnd) {
    HttpServerResponse response = exchange.request().response();
    if (response.ended() || response.closed()) {
      beforeEnd.run();
      return;
    }
    if (result.succeeded()) {
      writeReply(exchange, response, result.result(), beforeEnd);
    } else {
      writeError(exchange, response, asGatewayException(exchange, result.cause()), beforeEnd);
    }
  }

  private static void writeReply(Exchange exchange, HttpServerResponse response, ProxyReply reply, Runnable beforeEnd) {
    response.setStatusCode(reply.status());
    if (reply.statusMessage() != null) {
      response.setStatusMessage(reply.statusMessage());
    }
    response.headers().addAll(reply.headers());
    finish(exchange, response, reply.body(), beforeEnd);
  }

  private static void writeError(Exchange exchange, HttpServerResponse response, GatewayException error,
                                 Runnable beforeEnd) {
    response.setStatusCode(error.error().status());
    response.headers().set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    if (error.retryAfterSeconds() > 0) {
      response.headers().set(HttpHeaders.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
    }
    Buffer body = new JsonObject()
      .put("status", "error")
      .put("code", error.error().name())
      .put("message", error.getMessage())
      .put("requestId", exchange.requestId())
      .toBuffer();
    finish(exchange, response, body, beforeEnd);
  }

  private static void finish(Exchange exchange, HttpServerResponse response, Buffer body, Runnable beforeEnd) {
    response.headers().addAll(exchange.replyHeaders());
    response.headers().set(RequestIds.HEADER, exchange.requestId());
    HttpServerRequest request = exchange.request();
    boolean unreadBody = BodyStage.carriesBody(request) && !request.isEnded();
    if (unreadBody) {
      response.headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      request.handler(discarded -> { });
      request.exceptionHandler(ignored -> { });
    }
    beforeEnd.run();
    Future<Void> written = request.method() == HttpMethod.HEAD ? response.end() : response.end(body);
    if (unreadBody) {
      written.onComplete(ar -> closeOnceDrained(request));
    }
  }

  /**
   * A request whose body we refused (413) still has bytes on the wire, so its connection cannot be
   * reused. Closing at once would make most clients fail on a reset before they read the 413, so
   * the rest is read and thrown away (never buffered) for a short grace period, then the
   * connection is closed either way.
   */
  private static void closeOnceDrained(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    if (request.isEnded()) {
      connection.close();
      return;
    }
    request.endHandler(v -> connection.close());
    request.resume();
    Vertx.currentContext().owner().setTimer(DISCARD_GRACE_MS, t -> connection.close());
  }

  private static GatewayException asGatewayException(Exchange exchange, Throwable cause) {
    if (cause instanceof GatewayException gatewayException) {
      return gatewayException;
    }
    LOG.error("request {} failed unexpectedly", exchange.requestId(), cause);
    return GatewayException.of(GatewayError.INTERNAL_ERROR, "internal error");
  }
}
