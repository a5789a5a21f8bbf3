package dev.sluice.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Sends one attempt to an upstream and turns whatever happens into an {@link UpstreamOutcome};
 * its future never fails. One per verticle instance, so connections stay on that event loop.
 *
 * <p>Vert.x's own HttpClient rather than the WebClient: a proxy needs none of the WebClient's
 * codecs, templates or interceptors, and their cost is paid on every request.
 */
public final class UpstreamClient {
  /** Enough pooled keep-alive connections per upstream that the pool is never the bottleneck. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_UPSTREAM = 512;

  private final HttpClient client;

  public UpstreamClient(Vertx vertx, int connectTimeoutMs) {
    HttpClientOptions options = new HttpClientOptions()
      .setConnectTimeout(connectTimeoutMs)
      .setKeepAlive(true)
      .setPipelining(false)
      .setDecompressionSupported(false);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(DEFAULT_MAX_CONNECTIONS_PER_UPSTREAM);
    this.client = vertx.createHttpClient(options, pool);
  }

  public Future<UpstreamOutcome> send(UpstreamRequest request) {
    RequestOptions target = new RequestOptions()
      .setMethod(request.method())
      .setHost(request.route().upstreamHost())
      .setPort(request.route().upstreamPort())
      .setSsl(request.route().upstreamTls())
      .setURI(request.uri())
      .setHeaders(request.headers())
      .setFollowRedirects(false)
      // Bounds the wait for a pooled connection and the silence between bytes, like the
      // WebClient's timeout: a timeout outcome either way.
      .setTimeout(request.timeoutMs());
    return client.request(target)
      .compose(outbound -> send(outbound, request))
      .compose(UpstreamClient::readFully)
      .transform(ar -> Future.succeededFuture(ar.succeeded() ? ar.result() : UpstreamOutcome.failure(ar.cause())));
  }

  private static Future<HttpClientResponse> send(HttpClientRequest outbound, UpstreamRequest request) {
    return request.body() == null ? outbound.send() : outbound.send(request.body());
  }

  private static Future<UpstreamOutcome> readFully(HttpClientResponse response) {
    return response.body().map(body -> UpstreamOutcome.response(
      new UpstreamResponse(response.statusCode(), response.statusMessage(), response.headers(), body)));
  }

  public Future<Void> close() {
    return client.close();
  }
}
