package dev.sluice.gateway.proxy;

import dev.sluice.gateway.cache.BodyCapture;
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

import java.util.function.BooleanSupplier;


/**
 * Relays an upstream's answer to the client as it arrives: the head at once, then each chunk as
 * it comes (an SSE event reaches the client when the upstream sends it), with backpressure both
 * ways. HEAD, 204 and 304 keep the upstream's headers, Content-Length included, and carry no body.
 *
 * <p>An answer that breaks off says who broke it ({@link CutShort}), from what happened first.
 * Only the upstream's own fault (it closed or reset mid-body, or fell silent for the idle timeout
 * while the client was reading) counts for the route's circuit and the target's outlier state,
 * and the client's connection is then reset so it cannot take a partial body for a whole one.
 * A client that leaves, or stops reading, counts as a client abort only; the upstream request is
 * then reset and its connection closed, never returned half-read to the pool.
 */
final class ResponseRelay {
  /**
   * Answers up to this size are read whole and written in one go: for the small answers most
   * APIs give, a relay would cost a flush per chunk and one more for the end.
   */
  static final long SMALL_BODY_BYTES = 16 * 1024;

  private final long idleTimeoutMs;
  private final BooleanSupplier draining;

  /**
   * @param idleTimeoutMs the upstream connections' idle timeout (0 = none): a source that fails
   *                      after being quiet this long was cut by it
   * @param draining      true once the gateway is shutting down and closes what is left
   */
  ResponseRelay(long idleTimeoutMs, BooleanSupplier draining) {
    this.idleTimeoutMs = idleTimeoutMs;
    this.draining = draining;
  }

  void relay(Exchange exchange, UpstreamResponse upstream, Runnable record) {
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
    BodyCapture capture = exchange.capture();
    if (carriesNoBody(exchange.request().method(), upstream.statusCode())) {
      upstream.discard();
      if (capture != null) {
        capture.complete();
      }
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
    Relay relay = capture == null ? new Relay(upstream.body(), response)
      : new Relay(upstream.body(), response, (chunk, total) -> {
        capture.chunk(chunk);
        return null;
      });
    response.closeHandler(v -> {
      if (leftEarly(exchange, response)) {
        relay.destinationClosed(new HttpClosedException("client closed the connection"));
      }
    });
    relay.start().onComplete(ar -> {
      if (ar.succeeded()) {
        completed(capture);
        record.run();
        response.end();
      } else {
        abandoned(capture);
        brokeOff(exchange, upstream, response, exchange.cutShort(cause((RelayException) ar.cause(), relay, response)));
        record.run();
      }
    });
  }

  private void whole(Exchange exchange, UpstreamResponse upstream, HttpServerResponse response, Runnable record) {
    BodyCapture capture = exchange.capture();
    // The body is small: read to its end even when the client goes, which keeps the connection.
    response.closeHandler(v -> leftEarly(exchange, response));
    upstream.small().onComplete(ar -> {
      if (ar.succeeded()) {
        if (capture != null) {
          capture.chunk(ar.result());
          capture.complete();
        }
        record.run();
        response.end(ar.result());
      } else {
        abandoned(capture);
        CutShort cause = exchange.cutShort(response.closed() ? CutShort.CLIENT : CutShort.UPSTREAM);
        brokeOff(exchange, upstream, response, cause);
        record.run();
      }
    });
  }

  /**
   * The client's connection closed: recorded before anything else can happen, because what the
   * upstream does after we abort it for this client follows from the client's leaving.
   *
   * @return false when the answer had ended already (a keep-alive connection closing later)
   */
  private boolean leftEarly(Exchange exchange, HttpServerResponse response) {
    if (response.ended()) {
      return false;
    }
    exchange.cutShort(draining.getAsBoolean() ? CutShort.SHUTDOWN : CutShort.CLIENT);
    return true;
  }

  /** What cut a relay short, judged from the side that failed and the state both sides were in. */
  private CutShort cause(RelayException failure, Relay relay, HttpServerResponse response) {
    if (draining.getAsBoolean()) {
      return CutShort.SHUTDOWN;
    }
    if (!failure.sourceFailed() || response.closed()) {
      return CutShort.CLIENT;
    }
    if (idleTimeoutMs > 0 && relay.quietMs() >= idleTimeoutMs * 9 / 10) {
      // The idle timeout cut it. Paused for a client that stopped reading, the upstream was
      // silent because we were not reading it: the client's doing.
      return relay.waitingForDestination() ? CutShort.CLIENT : CutShort.IDLE;
    }
    return CutShort.UPSTREAM;
  }

  private static void brokeOff(Exchange exchange, UpstreamResponse upstream, HttpServerResponse response,
                               CutShort cause) {
    if (cause.upstreamsFault()) {
      String why = "body cut short by the " + cause.label();
      exchange.circuit().failedAfterHead(why);
      if (exchange.target() != null) {
        exchange.targets().failedAfterHead(exchange.target(), why);
      }
      response.reset();
    } else {
      upstream.abort();
      // The client is gone, or the gateway is closing it: nothing more to say to it.
      response.reset();
    }
  }

  /** A cache fill keeps the body only once it has all of it. */
  private static void completed(BodyCapture capture) {
    if (capture != null) {
      capture.complete();
    }
  }

  private static void abandoned(BodyCapture capture) {
    if (capture != null) {
      capture.abandon("the answer broke off");
    }
  }

  private static boolean carriesNoBody(HttpMethod method, int status) {
    return method == HttpMethod.HEAD || status == 204 || status == 304 || (status >= 100 && status < 200);
  }
}
