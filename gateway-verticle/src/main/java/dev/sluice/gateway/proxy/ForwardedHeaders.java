package dev.sluice.gateway.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;


/** {@code X-Forwarded-For} appended with the peer, {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} set. */
final class ForwardedHeaders {
  static final CharSequence FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  static final CharSequence PROTO = HttpHeaders.createOptimized("X-Forwarded-Proto");
  static final CharSequence HOST = HttpHeaders.createOptimized("X-Forwarded-Host");
  private static final CharSequence HTTP = HttpHeaders.createOptimized("http");
  private static final CharSequence HTTPS = HttpHeaders.createOptimized("https");

  private ForwardedHeaders() {
  }

  /** @param peerHost the TCP peer's address as text */
  static void apply(HttpServerRequest request, String peerHost, MultiMap headers) {
    // contains first: most requests come without the header, and getAll makes a list each time.
    headers.set(FOR, !request.headers().contains(FOR) ? peerHost
      : String.join(", ", request.headers().getAll(FOR)) + ", " + peerHost);
    headers.set(PROTO, request.isSSL() ? HTTPS : HTTP);
    String host = request.authority() == null ? null : request.authority().toString();
    if (host != null) {
      headers.set(HOST, host);
    } else {
      headers.remove(HOST);
    }
  }
}
