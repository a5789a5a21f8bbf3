package dev.sluice.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;

/**
 * An upstream's answer as far as it has come: the status line and headers (hop-by-hop ones
 * included; the proxy drops those when it replies), and a body still on the wire, paused until
 * someone relays or discards it.
 */
public final class UpstreamResponse {
  /** Bodies up to this size are read and dropped to keep the pooled connection; longer ones cost a reset. */
  private static final long DRAIN_LIMIT_BYTES = 64 * 1024;

  private final HttpClientResponse response;

  UpstreamResponse(HttpClientResponse response) {
    this.response = response;
    response.pause();
  }

  public int statusCode() {
    return response.statusCode();
  }

  public String statusMessage() {
    return response.statusMessage();
  }

  public MultiMap headers() {
    return response.headers();
  }

  public String getHeader(String name) {
    return response.getHeader(name);
  }

  /** The body, paused: whoever takes it resumes it. */
  public ReadStream<Buffer> body() {
    return response;
  }

  /**
   * The whole body, for an answer whose declared length the caller has checked is small: one
   * write to the client instead of a head and chunks.
   */
  public Future<Buffer> small() {
    Future<Buffer> body = response.body();
    response.resume();
    return body;
  }

  /** @return the declared Content-Length, or -1 (chunked, absent or unreadable) */
  public long contentLength() {
    String length = response.getHeader("Content-Length");
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The raw connection after a {@code 101 Switching Protocols}. */
  public NetSocket tunnel() {
    return response.netSocket();
  }

  /** Drops an answer nobody will read (an attempt about to be retried), without leaking its connection. */
  public void discard() {
    long length = contentLength();
    if (length >= 0 && length <= DRAIN_LIMIT_BYTES) {
      response.handler(null).exceptionHandler(err -> { }).resume();
    } else {
      abort();
    }
  }

  /**
   * Stops the body (the client left): the request is reset, which on HTTP/1.x closes its connection
   * while the rest of the body is still on the wire (Vert.x's own rule), so it is never pooled
   * half-read; on h2 it resets the stream. Neither is a failure of the upstream.
   */
  public void abort() {
    // The reset is ours: nobody is listening for the error it raises.
    response.exceptionHandler(ignored -> { });
    // Not connection().close() as well: once the whole answer has arrived, however paused we hold
    // it, the connection is back in the pool and may already carry another request, which a close
    // would fail as the upstream's fault (H2ClientsLeavingTest: the bench's h2 row opened a healthy
    // route so when h2load closed its connections with streams in flight).
    response.request().reset();
  }
}
