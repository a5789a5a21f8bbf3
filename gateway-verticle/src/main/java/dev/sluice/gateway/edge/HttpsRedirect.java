package dev.sluice.gateway.edge;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * The cleartext listener of {@code http.redirectPort}: every request is answered {@code 308} to
 * the same URL on {@code https://} (308, not 301: a POST stays a POST), except what
 * {@code answeredHere} takes, the load balancer's {@code /__health}. Nothing is proxied in
 * cleartext: no plaintext fallback where TLS was asked for.
 */
public final class HttpsRedirect implements Handler<HttpServerRequest> {
  private static final int PERMANENT_REDIRECT = 308;
  private static final int DEFAULT_HTTPS_PORT = 443;

  private final IntSupplier httpsPort;
  private final Predicate<HttpServerRequest> answeredHere;

  /** @param httpsPort the TLS listener's actual port, asked per request (a test's port 0 is known only once it listens) */
  public HttpsRedirect(IntSupplier httpsPort, Predicate<HttpServerRequest> answeredHere) {
    this.httpsPort = httpsPort;
    this.answeredHere = answeredHere;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (answeredHere.test(request)) {
      return;
    }
    HostAndPort authority = request.authority();
    if (authority == null || authority.host().isEmpty()) {
      request.response().setStatusCode(400).putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
        .end("a Host header is needed to redirect to https\n");
      return;
    }
    int port = httpsPort.getAsInt();
    String host = authority.host().contains(":") ? "[" + authority.host() + "]" : authority.host();
    String location = "https://" + host + (port == DEFAULT_HTTPS_PORT ? "" : ":" + port) + request.uri();
    request.response().setStatusCode(PERMANENT_REDIRECT).putHeader(HttpHeaders.LOCATION, location).end();
  }
}
