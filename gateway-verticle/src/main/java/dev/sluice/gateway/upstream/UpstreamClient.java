package dev.sluice.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * Sends one attempt to an upstream and turns whatever happens up to the response head into an
 * {@link UpstreamOutcome}; its future never fails. The body of the answer is not read here: it
 * stays on the wire, paused, for the proxy to relay or discard. One per verticle instance, so
 * connections stay on that event loop.
 *
 * <p>Vert.x's own HttpClient rather than the WebClient: a proxy streams, and needs none of the
 * WebClient's codecs, templates or interceptors.
 *
 * <p>Two waits, told apart because only one is the upstream's doing. Getting a connection
 * ({@code client.request}) is the gateway's: a request queues while every pooled connection to its
 * target is busy; past {@code http.poolWaitMs} it is {@link UpstreamOutcome.Kind#BUSY}, never sent,
 * and neither the circuit nor the outlier rule hears of it. Opening a new connection is the
 * upstream's: a refused or silent connect fails with a {@link ConnectException} (Netty's connect
 * timeout is one) after at most {@code connectTimeoutMs}. Vert.x has one timer for both (it starts
 * when the request joins the queue or starts to connect, whichever comes first), so that timer is
 * set to the connect timeout plus the pool wait: a request that connected at once meets the connect
 * timeout first, and only one that queued can run into the pool's. {@code timeoutMs} starts only
 * once the request has been written ({@link #armHeadTimeout}).
 */
public final class UpstreamClient {
  /**
   * Pooled keep-alive connections per target and verticle instance. HTTP/1.1 without pipelining
   * carries one request per connection at a time, so this is the instance's concurrency per target;
   * a burst beyond it queues (unbounded, for at most {@code http.poolWaitMs}) rather than opening
   * thousands of connections at once, which would overflow the upstream's accept backlog and turn
   * a healthy upstream's sub-millisecond answers into SYN retransmits of a second or more.
   */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_UPSTREAM = 512;
  /** The largest body chunk read at once, for responses here and for requests on the gateway's server. */
  public static final int BODY_CHUNK_BYTES = 64 * 1024;
  /** Each h2 connection carries as many streams as the upstream allows (SETTINGS_MAX_CONCURRENT_STREAMS). */
  static final int H2_CONNECTIONS_PER_UPSTREAM = 4;

  private final HttpClient client;
  /** Vert.x's timer for getting a connection: see the class comment. */
  private final long acquireTimeoutMs;
  /** For targets of routes with {@code h2: true}: one multiplexed connection or a few per target. */
  private final HttpClient h2Client;
  private final TlsFailureLog tlsFailures = new TlsFailureLog(() -> System.nanoTime() / 1_000_000);

  /**
   * @param idleTimeoutSeconds an upstream connection silent this long is closed: a response body
   *                           that stalls mid-way is cut by it (0 = never). Per connection, not a
   *                           timer per request: a per-request timer would outlive its request.
   * @param poolWaitMs         how long a request may queue for a pooled connection ({@code http.poolWaitMs})
   */
  public UpstreamClient(Vertx vertx, int connectTimeoutMs, int idleTimeoutSeconds, long poolWaitMs) {
    this(vertx, connectTimeoutMs, idleTimeoutSeconds, poolWaitMs, DEFAULT_MAX_CONNECTIONS_PER_UPSTREAM);
  }

  /** @param poolSize pooled connections per target; tests make it small to fill it */
  public UpstreamClient(Vertx vertx, int connectTimeoutMs, int idleTimeoutSeconds, long poolWaitMs, int poolSize) {
    if (poolWaitMs < 1 || poolSize < 1) {
      throw new IllegalArgumentException("poolWaitMs and poolSize must be > 0, were " + poolWaitMs + ", " + poolSize);
    }
    this.acquireTimeoutMs = connectTimeoutMs + poolWaitMs;
    HttpClientOptions options = new HttpClientOptions()
      .setConnectTimeout(connectTimeoutMs)
      .setIdleTimeout(idleTimeoutSeconds)
      // Body chunks as large as a socket read, not Netty's 8 KiB default: each chunk costs a
      // write and a flush to the client, so a 1 MiB answer is 16 of them instead of 128.
      .setMaxChunkSize(BODY_CHUNK_BYTES)
      .setKeepAlive(true)
      .setPipelining(false)
      .setDecompressionSupported(false);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(poolSize).setHttp2MaxSize(H2_CONNECTIONS_PER_UPSTREAM);
    this.client = vertx.createHttpClient(options, pool);
    // Cleartext h2 by prior knowledge (RFC 9113 §3.3): an h2c Upgrade would cost every new connection a round trip.
    this.h2Client = vertx.createHttpClient(new HttpClientOptions(options).setProtocolVersion(HttpVersion.HTTP_2)
      .setUseAlpn(true).setHttp2ClearTextUpgrade(false), pool);
  }

  /** One attempt of {@code request} to {@code to}; one pool of connections per target (host and port). */
  public Future<UpstreamOutcome> send(UpstreamRequest request, Target to) {
    RequestOptions target = to.connect(new RequestOptions())
      .setMethod(request.method())
      .setURI(to.uri(request.pathAndQuery()))
      .setFollowRedirects(false)
      .setConnectTimeout(acquireTimeoutMs);
    // A WebSocket handshake is an HTTP/1.1 upgrade, whatever the route speaks otherwise.
    HttpClient via = to.h2() && !request.upgrade() ? h2Client : client;
    return via.request(target).transform(connection -> {
      if (connection.failed()) {
        tlsFailures.failed(to, connection.cause());
        return Future.succeededFuture(notConnected(connection.cause()));
      }
      return exchange(connection.result(), request).transform(ar -> {
        if (ar.failed()) {
          tlsFailures.failed(to, ar.cause());
          return Future.succeededFuture(UpstreamOutcome.failure(ar.cause()));
        }
        return Future.succeededFuture(UpstreamOutcome.response(new UpstreamResponse(ar.result())));
      });
    });
  }

  /**
   * No connection: the pool's own timer (a {@link TimeoutException} that is no {@link ConnectException})
   * or a full wait queue is this gateway's congestion; anything else (refused, reset, connect
   * timeout, DNS, a refused TLS handshake) is the upstream's.
   */
  static UpstreamOutcome notConnected(Throwable cause) {
    boolean queuedTooLong = cause instanceof TimeoutException && !(cause instanceof ConnectException);
    return queuedTooLong || cause instanceof ConnectionPoolTooBusyException
      ? UpstreamOutcome.busy(cause)
      : UpstreamOutcome.failure(cause);
  }

  /**
   * The head timeout starts once the whole body has gone up (an upload may take longer than any
   * head timeout); Vert.x cancels it when the head arrives. After the head, the connection's idle
   * timeout bounds a silent body.
   */
  private static Future<HttpClientResponse> exchange(HttpClientRequest outbound, UpstreamRequest request) {
    // Failures reach us through the response future; without a handler Vert.x would log each one again.
    outbound.exceptionHandler(ignored -> { });
    request.headers().accept(outbound.headers());
    Future<HttpClientResponse> head;
    if (request.upgrade()) {
      outbound.idleTimeout(request.timeoutMs());
      head = outbound.connect();
    } else {
      head = request.body().sendWith(outbound, () -> armHeadTimeout(outbound, request));
    }
    return head;
  }

  private static void armHeadTimeout(HttpClientRequest outbound, UpstreamRequest request) {
    if (!outbound.response().isComplete()) {
      outbound.idleTimeout(request.timeoutMs());
    }
  }

  public Future<Void> close() {
    return Future.join(client.close(), h2Client.close()).mapEmpty();
  }
}
