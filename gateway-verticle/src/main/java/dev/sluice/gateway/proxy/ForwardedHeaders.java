package dev.sluice.gateway.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.List;

/** {@code X-Forwarded-For} appended with the peer, {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} set. */
final class ForwardedHeaders {
  static final CharSequence FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  static final CharSequence PROTO = HttpHeaders.createOptimized("X-Forwarded-Proto");
  static final CharSequence HOST = HttpHeaders.createOptimized("X-Forwarded-Host");
  private static final CharSequence HTTP = HttpHeaders.createOptimized("http");
  private static final CharSequence HTTPS = HttpHeaders.createOptimized("https");

  private ForwardedHeaders() {
  }

  static void apply(HttpServerRequest request, MultiMap headers) {
    SocketAddress peer = request.remoteAddress();
    String peerHost = peer == null ? "unknown" : peer.hostAddress();
    List<String> prior = request.headers().getAll(FOR);
    headers.set(FOR, prior.isEmpty() ? peerHost : String.join(", ", prior) + ", " + peerHost);
    headers.set(PROTO, request.isSSL() ? HTTPS : HTTP);
    String host = request.authority() == null ? null : request.authority().toString();
    if (host != null) {
      headers.set(HOST, host);
    } else {
      headers.remove(HOST);
    }
  }
}
