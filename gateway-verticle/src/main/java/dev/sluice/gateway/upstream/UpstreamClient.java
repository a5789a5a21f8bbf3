package dev.sluice.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Sends one attempt to an upstream and turns whatever happens into an {@link UpstreamOutcome};
 * its future never fails. One per verticle instance, so connections stay on that event loop.
 */
public final class UpstreamClient {
  /** Enough pooled keep-alive connections per upstream that the pool is never the bottleneck. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_UPSTREAM = 512;

  private final WebClient client;

  public UpstreamClient(Vertx vertx, int connectTimeoutMs) {
    WebClientOptions options = new WebClientOptions()
      .setConnectTimeout(connectTimeoutMs)
      .setKeepAlive(true)
      .setPipelining(false)
      .setFollowRedirects(false)
      .setUserAgentEnabled(false)
      .setDecompressionSupported(false);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(DEFAULT_MAX_CONNECTIONS_PER_UPSTREAM);
    this.client = WebClient.create(vertx, options, pool);
  }

  public Future<UpstreamOutcome> send(UpstreamRequest request) {
    RequestOptions target = new RequestOptions()
      .setHost(request.route().upstreamHost())
      .setPort(request.route().upstreamPort())
      .setSsl(request.route().upstreamTls())
      .setURI(request.uri());
    HttpRequest<Buffer> outbound = client.request(request.method(), target)
      .putHeaders(request.headers())
      .followRedirects(false)
      .timeout(request.timeoutMs());
    Future<HttpResponse<Buffer>> sent = request.body() == null ? outbound.send() : outbound.sendBuffer(request.body());
    return sent.transform(ar -> Future.succeededFuture(
      ar.succeeded() ? UpstreamOutcome.response(ar.result()) : UpstreamOutcome.failure(ar.cause())));
  }

  public void close() {
    client.close();
  }
}
