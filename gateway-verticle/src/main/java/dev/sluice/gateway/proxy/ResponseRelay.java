package dev.sluice.gateway.proxy;

import dev.sluice.gateway.stream.Relay;
import dev.sluice.gateway.stream.RelayException;
import dev.sluice.gateway.upstream.HopByHopHeaders;
import dev.sluice.gateway.upstream.UpstreamResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;


/**
 * Relays an upstream's answer to the client as it arrives: the head at once, then each chunk as
 * it comes (an SSE event reaches the client when the upstream sends it), with backpressure both
 * ways. HEAD, 204 and 304 keep the upstream's headers, Content-Length included, and carry no body.
 *
 * <p>When the upstream dies mid-body, the status has already gone: the client's connection is
 * reset so it cannot take a partial body for a whole one, and the route's circuit counts a
 * failure. When the client leaves, the upstream request is reset, never returned half-read to
 * the pool.
 */
final class ResponseRelay {
  /**
   * Answers up to this size are read whole and written in one go: for the small answers most
   * APIs give, a relay would cost a flush per chunk and one more for the end.
   */
  static final long SMALL_BODY_BYTES = 16 * 1024;

  private ResponseRelay() {
  }

  static void relay(Exchange exchange, UpstreamResponse upstream, Runnable record) {
    HttpServerResponse response = exchange.request().response();
    response.setStatusCode(upstream.statusCode());
    String message = upstream.statusMessage();
    // Only an upstream's own reason phrase is copied: setting the standard one would build a new
    // status object per answer for nothing.
    if (message != null && !message.equals(HttpResponseStatus.valueOf(upstream.statusCode()).reasonPhrase())) {
      response.setStatusMessage(message);
    }
    MultiMap headers = response.headers();
    HopByHopHeaders.copyEndToEnd(upstream.headers(), headers);
    ReplyWriter.addOwnHeaders(exchange, response);
    if (carriesNoBody(exchange.request().method(), upstream.statusCode())) {
      upstream.discard();
      record.run();
      response.end();
      return;
    }
    long length = upstream.contentLength();
    if (length >= 0 && length <= SMALL_BODY_BYTES) {
      whole(exchange, upstream, response, record);
      return;
    }
    if (length < 0) {
      response.setChunked(true);
      // The head goes now, not with the first chunk: the client of a stream (SSE, a long poll)
      // sees the status at once, however long the upstream waits before its first event.
      response.writeHead();
    }
    Relay relay = new Relay(upstream.body(), response);
    response.closeHandler(v -> relay.destinationClosed(new HttpClosedException("client closed the connection")));
    relay.start().onComplete(ar -> {
      if (ar.succeeded()) {
        record.run();
        response.end();
      } else {
        exchange.cutShort(true);
        if (((RelayException) ar.cause()).sourceFailed()) {
          exchange.circuit().failedAfterHead();
          response.reset();
        } else {
          upstream.abort();
        }
        record.run();
      }
    });
  }

  private static void whole(Exchange exchange, UpstreamResponse upstream, HttpServerResponse response,
                            Runnable record) {
    upstream.small().onComplete(ar -> {
      if (ar.succeeded()) {
        record.run();
        response.end(ar.result());
      } else {
        exchange.cutShort(true);
        exchange.circuit().failedAfterHead();
        response.reset();
        record.run();
      }
    });
  }

  private static boolean carriesNoBody(HttpMethod method, int status) {
    return method == HttpMethod.HEAD || status == 204 || status == 304 || (status >= 100 && status < 200);
  }
}
