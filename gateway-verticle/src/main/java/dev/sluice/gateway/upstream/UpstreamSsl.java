package dev.sluice.gateway.upstream;

import dev.sluice.gateway.config.UpstreamTls;
import io.vertx.core.net.ClientSSLOptions;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.util.function.Function;

import java.util.List;
import java.util.Set;

/**
 * A route's {@code tls} as Vert.x client options, made once per target. The CA file is named by
 * path: Vert.x reads it on a worker thread when the first connection needs it and keeps the
 * context for every connection with equal options, so the pool stays one per target and no event
 * loop reads a file. The gateway checked at start that the file holds certificates.
 */
final class UpstreamSsl {
  private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  /**
   * Marks unverified options apart from verified ones. Vert.x 5.0.8 keys its client connection
   * pools by host, port and SSL options, but {@code SSLOptions.equals} leaves out {@code trustAll}
   * and the host-name check: without a trust option of their own, a {@code verify: false} route's
   * connection to host:port would be reused by a verified route to the same host:port, unchecked
   * ({@code UpstreamTlsTest} caught it). A constant: every unverified route may share.
   */
  private static final TrustOptions UNVERIFIED = new UnverifiedTrust();

  private UpstreamSsl() {
  }

  /** @param h2 ALPN offers h2 (then http/1.1): the options of a request replace the client's, ALPN included */
  static ClientSSLOptions of(UpstreamTls tls, boolean h2) {
    ClientSSLOptions options = new ClientSSLOptions()
      .setUseAlpn(h2)
      .setApplicationLayerProtocols(h2 ? List.of("h2", "http/1.1") : List.of("http/1.1"))
      .setEnabledSecureTransportProtocols(PROTOCOLS)
      // "HTTPS": the certificate must name the host asked for (RFC 9110 §4.3.4), not merely chain to a trusted CA.
      .setHostnameVerificationAlgorithm(tls.verify() ? "HTTPS" : "")
      .setTrustAll(!tls.verify());
    if (!tls.verify()) {
      options.setTrustOptions(UNVERIFIED);
    } else if (tls.caFile() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile().toString()));
    }
    return options;
  }

  /** Trusts any certificate; Vert.x uses its own trust-all manager anyway once {@code trustAll} is set. */
  private static final class UnverifiedTrust implements TrustOptions {
    @Override
    public TrustOptions copy() {
      return this;
    }

    @Override
    public TrustManagerFactory getTrustManagerFactory(Vertx vertx) {
      return InsecureTrustManagerFactory.INSTANCE;
    }

    @Override
    public Function<String, TrustManager[]> trustManagerMapper(Vertx vertx) {
      return serverName -> InsecureTrustManagerFactory.INSTANCE.getTrustManagers();
    }
  }
}
