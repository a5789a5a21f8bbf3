package dev.sluice.gateway.upstream;

import dev.sluice.gateway.stream.Relay;
import dev.sluice.gateway.stream.RelayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.streams.ReadStream;

/**
 * What a request sends upstream after its head: nothing, a body held in memory (sent again as it
 * is by a retry), or a body that streams from the client as the upstream reads it and can be sent
 * only once.
 */
public abstract sealed class RequestBody {
  private static final RequestBody NONE = new None();

  public static RequestBody none() {
    return NONE;
  }

  public static RequestBody buffered(Buffer body) {
    return new Buffered(body);
  }

  /**
   * @param head     bytes already read from the client, sent first
   * @param rest     the client's request, paused, after {@code head}
   * @param length   the declared Content-Length, or -1 when the client sent it chunked
   * @param maxBytes the most the whole body may hold (0 = no limit); past it the upload fails with
   *                 {@link RequestAbortedException#tooLarge}
   */
  public static RequestBody streamed(Buffer head, ReadStream<Buffer> rest, long length, long maxBytes) {
    return new Streamed(head, rest, length, maxBytes);
  }

  /** Whether another attempt could send this body again. */
  public abstract boolean replayable();

  /** Ends {@code outbound} with this body; the future is the upstream's response head. */
  abstract Future<HttpClientResponse> sendWith(HttpClientRequest outbound, Runnable sent);

  private static final class None extends RequestBody {
    @Override
    public boolean replayable() {
      return true;
    }

    @Override
    Future<HttpClientResponse> sendWith(HttpClientRequest outbound, Runnable sent) {
      Future<HttpClientResponse> response = outbound.send();
      sent.run();
      return response;
    }
  }

  private static final class Buffered extends RequestBody {
    private final Buffer body;

    Buffered(Buffer body) {
      this.body = body;
    }

    @Override
    public boolean replayable() {
      return true;
    }

    @Override
    Future<HttpClientResponse> sendWith(HttpClientRequest outbound, Runnable sent) {
      Future<HttpClientResponse> response = outbound.send(body);
      sent.run();
      return response;
    }
  }

  /**
   * Streams once. Until its first byte has been handed to an upstream it is still whole (a connect
   * failure leaves it untouched), so it stays replayable until then.
   */
  private static final class Streamed extends RequestBody {
    private final Buffer head;
    private final ReadStream<Buffer> rest;
    private final long length;
    private final long maxBytes;
    private boolean started;

    Streamed(Buffer head, ReadStream<Buffer> rest, long length, long maxBytes) {
      this.head = head;
      this.rest = rest;
      this.length = length;
      this.maxBytes = maxBytes;
    }

    @Override
    public boolean replayable() {
      return !started;
    }

    @Override
    Future<HttpClientResponse> sendWith(HttpClientRequest outbound, Runnable sent) {
      started = true;
      if (length >= 0) {
        outbound.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
      } else {
        outbound.setChunked(true);
      }
      if (head.length() > 0) {
        outbound.write(head);
      }
      Promise<Void> aborted = Promise.promise();
      new Relay(rest, outbound, this::withinLimit).start().onComplete(ar -> {
        if (ar.succeeded()) {
          outbound.end();
          sent.run();
        } else if (((RelayException) ar.cause()).sourceFailed()) {
          // A client that left, or sent too much: the upstream must not take a partial body for a whole one.
          aborted.fail(new RequestAbortedException(ar.cause().getCause()));
          outbound.reset();
        }
      });
      // The reset fails the response with a closed-connection error; the client is to blame, not the upstream.
      return outbound.response().recover(err -> aborted.future().failed() ? aborted.future() .map((HttpClientResponse) null)
        : Future.failedFuture(err));
    }

    private Throwable withinLimit(Buffer chunk, long relayed) {
      return maxBytes > 0 && head.length() + relayed > maxBytes ? RequestAbortedException.tooLarge(maxBytes) : null;
    }
  }
}
