package dev.sluice.gateway.upstream;

import dev.sluice.gateway.config.UpstreamTls;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;

import java.util.Set;

/**
 * A route's {@code tls} as Vert.x client options, made once per target. The CA file is named by
 * path: Vert.x reads it on a worker thread when the first connection needs it and keeps the
 * context for every connection with equal options, so the pool stays one per target and no event
 * loop reads a file. The gateway checked at start that the file holds certificates.
 */
final class UpstreamSsl {
  private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private UpstreamSsl() {
  }

  static ClientSSLOptions of(UpstreamTls tls) {
    ClientSSLOptions options = new ClientSSLOptions()
      .setEnabledSecureTransportProtocols(PROTOCOLS)
      // "HTTPS": the certificate must name the host asked for (RFC 9110 §4.3.4), not merely chain to a trusted CA.
      .setHostnameVerificationAlgorithm(tls.verify() ? "HTTPS" : "")
      .setTrustAll(!tls.verify());
    if (tls.verify() && tls.caFile() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile().toString()));
    }
    return options;
  }
}
