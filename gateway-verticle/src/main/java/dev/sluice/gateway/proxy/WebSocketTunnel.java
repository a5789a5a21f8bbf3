package dev.sluice.gateway.proxy;

import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.stream.Relay;
import dev.sluice.gateway.upstream.HopByHopHeaders;
import dev.sluice.gateway.upstream.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;


/**
 * After the upstream's {@code 101 Switching Protocols}, the client's connection and the upstream's
 * become one tunnel: bytes are copied both ways with backpressure, frames untouched, until either
 * side closes, and then both are closed.
 */
final class WebSocketTunnel {

  private WebSocketTunnel() {
  }

  static void open(Exchange exchange, UpstreamResponse upstream, GatewayMetrics metrics, Runnable record) {
    NetSocket upstreamSocket = upstream.tunnel();
    HttpServerResponse response = exchange.request().response();
    HopByHopHeaders.copyEndToEnd(upstream.headers(), response.headers());
    response.headers().set(HttpHeaders.CONNECTION, "Upgrade").set(UpgradeStage.UPGRADE, "websocket");
    ReplyWriter.addOwnHeaders(exchange, response);
    // toNetSocket answers 101 with the headers above.
    response.setStatusCode(101);
    record.run();
    exchange.request().toNetSocket().onComplete(ar -> {
      if (ar.failed()) {
        upstreamSocket.close();
        return;
      }
      Future<Void> closed = join(ar.result(), upstreamSocket);
      metrics.tunnel(exchange.route().name(), closed);
    });
  }

  /** @return completes once both sockets are closed */
  private static Future<Void> join(NetSocket client, NetSocket upstream) {
    Future<Void> closed = Future.join(closeOf(client), closeOf(upstream)).mapEmpty();
    // Either side's end or failure ends the tunnel: a half-open tunnel only holds two sockets.
    Promise<Void> ended = Promise.promise();
    new Relay(client, upstream).start().onComplete(ar -> ended.tryComplete());
    new Relay(upstream, client).start().onComplete(ar -> ended.tryComplete());
    ended.future().onComplete(v -> {
      client.close();
      upstream.close();
    });
    return closed;
  }

  private static Future<Void> closeOf(NetSocket socket) {
    Promise<Void> closed = Promise.promise();
    socket.closeHandler(v -> closed.tryComplete());
    return closed.future();
  }
}
