package dev.sluice.gateway.edge;

import dev.sluice.gateway.config.HttpOptions;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.ServerSSLOptions;

import java.util.List;
import java.util.Set;

/**
 * The TLS and HTTP/2 settings of the client-facing listener, in one place for the start
 * ({@link #apply}) and for each certificate renewal ({@link #sslOptions}), so a renewal cannot
 * quietly change the protocols, ciphers or ALPN list.
 */
public final class EdgeListener {
  /** TLS 1.0 and 1.1 are deprecated (RFC 8996). */
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  /**
   * Forward-secret AEAD suites only (Mozilla's "intermediate" list): every HTTP/2 client takes one
   * of them (RFC 9113 §9.2.2 forbids the rest on h2), and TLS 1.2 clients from the last decade too.
   */
  static final List<String> CIPHERS = List.of(
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private EdgeListener() {
  }

  /** Turns TLS (and HTTP/2 by ALPN, when on) on for {@code options}, serving {@code certificates}. */
  public static HttpServerOptions apply(HttpServerOptions options, HttpOptions http, ServerCertificates certificates) {
    options.setSsl(true)
      .setSslEngineOptions(TlsEngine.forListener())
      .setKeyCertOptions(certificates)
      .setSni(true)
      .setEnabledSecureTransportProtocols(PROTOCOLS)
      .setUseAlpn(http.http2On())
      .setAlpnVersions(alpn(http));
    CIPHERS.forEach(options::addEnabledCipherSuite);
    if (http.http2On()) {
      options.setInitialSettings(new Http2Settings().setMaxConcurrentStreams(http.http2().maxConcurrentStreams()));
    }
    return options;
  }

  /** What {@code HttpServer.updateSSLOptions} gets on a renewal: the same as {@link #apply}, new certificates. */
  public static ServerSSLOptions sslOptions(HttpOptions http, ServerCertificates certificates) {
    ServerSSLOptions ssl = new ServerSSLOptions()
      .setKeyCertOptions(certificates)
      .setSni(true)
      .setEnabledSecureTransportProtocols(PROTOCOLS)
      .setUseAlpn(http.http2On())
      .setApplicationLayerProtocols(alpn(http).stream().map(HttpVersion::alpnName).toList());
    CIPHERS.forEach(ssl::addEnabledCipherSuite);
    return ssl;
  }

  private static List<HttpVersion> alpn(HttpOptions http) {
    return http.http2On() ? List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1) : List.of(HttpVersion.HTTP_1_1);
  }
}
