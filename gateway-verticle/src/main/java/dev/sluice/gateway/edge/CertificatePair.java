package dev.sluice.gateway.edge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One certificate chain and its private key, read from PEM and checked the way an operator needs
 * before they are served: the chain parses, the key parses (PKCS#8 or PKCS#1, by Vert.x's own
 * reader, the one the server uses), the key fits the leaf certificate, and the leaf is valid now.
 * The key never leaves this object except inside its {@link KeyManagerFactory}; nothing here
 * prints it.
 */
final class CertificatePair {
  private static final byte[] PROOF = "sluice: does this key fit the certificate?".getBytes(StandardCharsets.US_ASCII);

  private final Buffer certPem;
  private final Buffer keyPem;
  private final X509Certificate leaf;
  private final KeyManagerFactory keyManagers;

  private CertificatePair(Buffer certPem, Buffer keyPem, X509Certificate leaf, KeyManagerFactory keyManagers) {
    this.certPem = certPem;
    this.keyPem = keyPem;
    this.leaf = leaf;
    this.keyManagers = keyManagers;
  }

  /**
   * @param certField the field the problem is reported under, e.g. {@code http.tls.cert}
   * @throws BadFile naming the field and what is wrong with the file
   */
  static CertificatePair check(Vertx vertx, String certField, String keyField, Buffer certPem, Buffer keyPem,
                               Instant now) {
    X509Certificate leaf = leaf(certField, certPem);
    validity(certField, leaf, now);
    KeyManagerFactory keyManagers;
    try {
      keyManagers = new PemKeyCertOptions().setCertValue(certPem).setKeyValue(keyPem).getKeyManagerFactory(vertx);
    } catch (Exception e) {
      throw new BadFile(keyField, "not a PEM private key (PKCS#8 or PKCS#1)");
    }
    if (!fits(keyManagers, leaf)) {
      throw new BadFile(keyField, "does not fit the certificate in " + certField);
    }
    return new CertificatePair(certPem, keyPem, leaf, keyManagers);
  }

  private static X509Certificate leaf(String field, Buffer pem) {
    Collection<? extends java.security.cert.Certificate> chain;
    try {
      chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes()));
    } catch (CertificateException e) {
      throw new BadFile(field, "not a PEM certificate");
    }
    if (chain.isEmpty() || !(chain.iterator().next() instanceof X509Certificate leaf)) {
      throw new BadFile(field, "holds no PEM certificate");
    }
    return leaf;
  }

  private static void validity(String field, X509Certificate leaf, Instant now) {
    try {
      leaf.checkValidity(java.util.Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new BadFile(field, "expired on " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new BadFile(field, "not valid before " + leaf.getNotBefore().toInstant());
    }
  }

  /** Signs with the key and verifies with the certificate: works for RSA, EC and EdDSA alike. */
  private static boolean fits(KeyManagerFactory keyManagers, X509Certificate leaf) {
    String algorithm = leaf.getPublicKey().getAlgorithm();
    X509KeyManager manager = (X509KeyManager) keyManagers.getKeyManagers()[0];
    String[] aliases = manager.getServerAliases(algorithm, null);
    if (aliases == null || aliases.length == 0) {
      return false; // the key is of another kind than the certificate's (an EC key for an RSA certificate)
    }
    PrivateKey key = manager.getPrivateKey(aliases[0]);
    try {
      Signature signer = Signature.getInstance(signatureAlgorithm(algorithm));
      signer.initSign(key);
      signer.update(PROOF);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(signatureAlgorithm(algorithm));
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(PROOF);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String signatureAlgorithm(String keyAlgorithm) {
    return switch (keyAlgorithm) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> keyAlgorithm; // Ed25519, Ed448: the key's name is the signature's
    };
  }

  /** Whether the certificate names {@code host} (an exact name, or the same wildcard), as SNI will ask for it. */
  boolean names(String host) {
    String wanted = host.toLowerCase(Locale.ROOT);
    return dnsNames().stream().anyMatch(name -> name.equals(wanted) || HostPattern.matches(name, wanted));
  }

  /** The certificate's DNS names (subject alternative names, or the common name when there are none). */
  List<String> dnsNames() {
    List<String> names = new ArrayList<>();
    try {
      Optional.ofNullable(leaf.getSubjectAlternativeNames()).ifPresent(all -> all.stream()
          .filter(entry -> Integer.valueOf(2).equals(entry.get(0)))
          .forEach(entry -> names.add(String.valueOf(entry.get(1)).toLowerCase(Locale.ROOT))));
    } catch (CertificateParsingException e) {
      return names;
    }
    if (names.isEmpty()) {
      String subject = leaf.getSubjectX500Principal().getName();
      for (String part : subject.split(",")) {
        if (part.trim().startsWith("CN=")) {
          names.add(part.trim().substring(3).toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  /** The leaf's serial number in hex, the way {@code openssl x509 -serial} shows it: what logs name. */
  String serial() {
    return leaf.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
  }

  Instant notAfter() {
    return leaf.getNotAfter().toInstant();
  }

  KeyManagerFactory keyManagers() {
    return keyManagers;
  }

  /** The same files' bytes: whether a reload has anything new. */
  boolean sameBytes(Buffer cert, Buffer key) {
    return certPem.equals(cert) && keyPem.equals(key);
  }

  /** A file the listener cannot serve; the message starts with the field that names it. */
  static final class BadFile extends RuntimeException {
    private final String field;

    BadFile(String field, String problem) {
      super(problem, null, false, false);
      this.field = field;
    }

    String field() {
      return field;
    }
  }
}
