package dev.sluice.gateway.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/** {@code X-Forwarded-For} appended with the peer, {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} set. */
final class ForwardedHeaders {
  static final String FOR = "X-Forwarded-For";
  static final String PROTO = "X-Forwarded-Proto";
  static final String HOST = "X-Forwarded-Host";

  private ForwardedHeaders() {
  }

  static void apply(HttpServerRequest request, MultiMap headers) {
    SocketAddress peer = request.remoteAddress();
    String peerHost = peer == null ? "unknown" : peer.hostAddress();
    String prior = String.join(", ", request.headers().getAll(FOR));
    headers.set(FOR, prior.isEmpty() ? peerHost : prior + ", " + peerHost);
    headers.set(PROTO, request.isSSL() ? "https" : "http");
    String host = request.authority() == null ? null : request.authority().toString();
    if (host != null) {
      headers.set(HOST, host);
    } else {
      headers.remove(HOST);
    }
  }
}
