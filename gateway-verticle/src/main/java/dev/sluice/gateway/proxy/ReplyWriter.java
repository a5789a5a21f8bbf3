package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.upstream.UpstreamResponse;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;

/**
 * The response phase: the one place an answer is written. The upstream's answer is relayed
 * ({@link ResponseRelay}) or, after a 101, tunnelled ({@link WebSocketTunnel}); Sluice's own
 * errors are JSON.
 */
final class ReplyWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyWriter.class);
  private static final long DISCARD_GRACE_MS = 2000;
  /** RFC 9113 §7: the stream is no longer needed. */
  private static final long CANCEL = 0x8;
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private final GatewayMetrics metrics;
  private final ResponseRelay relay;
  private final BooleanSupplier draining;

  /**
   * @param idleTimeoutMs the upstream connections' idle timeout, which cuts a silent body
   * @param draining      true once the gateway is shutting down
   */
  ReplyWriter(GatewayMetrics metrics, long idleTimeoutMs, BooleanSupplier draining) {
    this.metrics = metrics;
    this.relay = new ResponseRelay(idleTimeoutMs, draining);
    this.draining = draining;
  }

  /**
   * @param record runs once the status and headers are set and before the answer's last byte is
   *               sent (or at once when the client is gone), so that whoever has the answer also
   *               finds it counted
   */
  void write(Exchange exchange, AsyncResult<ProxyReply> result, Runnable record) {
    HttpServerResponse response = exchange.request().response();
    if (response.ended() || response.closed()) {
      // The client left before its answer was ready.
      exchange.cutShort(draining.getAsBoolean() ? CutShort.SHUTDOWN : CutShort.CLIENT);
      if (result.succeeded() && result.result().upstream() != null) {
        result.result().upstream().abort();
      }
      if (exchange.capture() != null) {
        exchange.capture().abandon("the client left"); // and the fill lock goes with it
      }
      record.run();
      return;
    }
    if (result.failed()) {
      writeError(exchange, response, asGatewayException(exchange, result.cause()), record);
      return;
    }
    if (result.result().cached() != null) {
      CachedReplies.write(exchange, result.result().cached(), record);
      return;
    }
    UpstreamResponse upstream = result.result().upstream();
    if (exchange.upgrade() && upstream.statusCode() == 101) {
      WebSocketTunnel.open(exchange, upstream, metrics, record);
    } else {
      relay.relay(exchange, upstream, record);
    }
  }

  /** Headers every answer to a routed request carries, the upstream's or ours. */
  static void addOwnHeaders(Exchange exchange, HttpServerResponse response) {
    MultiMap headers = response.headers();
    if (exchange.rateLimit() != null) {
      RateLimitStage.writeHeaders(exchange.rateLimit(), headers);
    }
    headers.set(RequestIds.HEADER, exchange.requestId());
    if (exchange.cacheResult() != null) {
      headers.set(CacheResult.HEADER, exchange.cacheResult().header());
    }
  }

  private static void writeError(Exchange exchange, HttpServerResponse response, GatewayException error,
                                 Runnable record) {
    exchange.error(error.error());
    response.setStatusCode(error.error().status());
    response.headers().set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    if (error.challenge() != null) {
      response.headers().set("WWW-Authenticate", error.challenge());
    }
    if (error.retryAfterSeconds() > 0) {
      response.headers().set(HttpHeaders.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
    }
    Buffer body = new JsonObject()
      .put("status", "error")
      .put("code", error.error().name())
      .put("message", error.getMessage())
      .put("requestId", exchange.requestId())
      .toBuffer();
    addOwnHeaders(exchange, response);
    HttpServerRequest request = exchange.request();
    boolean unreadBody = exchange.carriesBody() && !request.isEnded();
    boolean h2 = request.version() == HttpVersion.HTTP_2;
    if ((unreadBody || exchange.upgrade()) && !h2) {
      // HTTP/2 has no Connection header (RFC 9113 §8.2.2); its other streams must not be closed with this one.
      response.headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    if (unreadBody) {
      request.handler(discarded -> { });
      request.exceptionHandler(ignored -> { });
    }
    record.run();
    Future<Void> written = request.method() == HttpMethod.HEAD ? response.end() : response.end(body);
    if (unreadBody) {
      written.onComplete(ar -> {
        if (h2) {
          stopUpload(request);
        } else {
          closeOnceDrained(request);
        }
      });
    }
  }

  /**
   * On HTTP/2 only this stream is concerned: its remaining body is read and dropped (flow control
   * lets the client send it only as we read), so the client can finish its request and take the
   * answer; the connection's other streams go on. Past the grace period the stream is reset.
   */
  private static void stopUpload(HttpServerRequest request) {
    if (request.isEnded()) {
      return;
    }
    request.resume();
    Vertx.currentContext().owner().setTimer(DISCARD_GRACE_MS, t -> {
      if (!request.isEnded()) {
        request.response().reset(CANCEL);
      }
    });
  }

  /**
   * A request whose body we did not read (a 413, a 429 before upload) still has bytes on the wire,
   * so its connection cannot be reused. Closing at once would make most clients fail on a reset
   * before they read the answer, so the rest is read and thrown away (never buffered) for a short
   * grace period, then the connection is closed either way.
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
