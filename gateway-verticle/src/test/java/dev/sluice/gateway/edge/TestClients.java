package dev.sluice.gateway.edge;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/** JDK clients that trust a test CA: an {@link SSLContext} for Java's HttpClient, and a bare handshake to read what a server serves. */
final class TestClients {
  private TestClients() {
  }

  static SSLContext trusting(String caPem) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII))));
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Handshakes with 127.0.0.1:{@code port}, asking for {@code sniName} (null: no SNI), and returns the served leaf's
   * serial. A context of its own each time: a shared one would resume an earlier session and show its certificate.
   */
  static BigInteger servedSerial(String caPem, int port, String sniName) throws IOException {
    try (SSLSocket socket = handshake(trusting(caPem), port, sniName, List.of())) {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  /** An open TLS connection, handshaken, offering {@code protocols} by ALPN (none when empty). */
  static SSLSocket handshake(SSLContext context, int port, String sniName, List<String> protocols) throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    SSLParameters parameters = socket.getSSLParameters();
    if (sniName != null) {
      parameters.setServerNames(List.of(new SNIHostName(sniName)));
    }
    if (!protocols.isEmpty()) {
      parameters.setApplicationProtocols(protocols.toArray(String[]::new));
    }
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }
}
