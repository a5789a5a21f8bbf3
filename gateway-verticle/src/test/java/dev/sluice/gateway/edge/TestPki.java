package dev.sluice.gateway.edge;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A certificate authority of the test's own, and leaf certificates it issues, as PEM files: what
 * the edge's tests serve and trust. EC P-256 keys (fast to make); RSA where a test asks for a
 * PKCS#1 key, which only RSA has.
 */
final class TestPki {
  private final KeyPair caKeys;
  private final X509Certificate caCert;
  private final AtomicLong serials = new AtomicLong(0x5100);

  private TestPki(KeyPair caKeys, X509Certificate caCert) {
    this.caKeys = caKeys;
    this.caCert = caCert;
  }

  static TestPki create(String name) {
    try {
      KeyPair keys = ec();
      X500Name subject = new X500Name("CN=" + name);
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE,
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), subject, keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new TestPki(keys, convert(builder.build(signer(keys.getPrivate()))));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A leaf valid from an hour ago for a week, for {@code names} (DNS names; 127.0.0.1 is always added as an IP). */
  Leaf issue(String... names) {
    Instant now = Instant.now();
    return issue(false, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)), names);
  }

  /** A leaf whose validity ended yesterday. */
  Leaf expired(String... names) {
    Instant now = Instant.now();
    return issue(false, now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)), names);
  }

  /** A leaf with an RSA key, written as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). */
  Leaf issueRsaPkcs1(String... names) {
    Instant now = Instant.now();
    return issue(true, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)), names);
  }

  String caPem() {
    return pem(caCert);
  }

  Path writeCa(Path dir, String file) {
    return write(dir.resolve(file), caPem());
  }

  private Leaf issue(boolean rsa, Instant notBefore, Instant notAfter, String... names) {
    try {
      KeyPair keys = rsa ? rsa() : ec();
      BigInteger serial = BigInteger.valueOf(serials.incrementAndGet());
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial,
          Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + names[0]), keys.getPublic());
      GeneralName[] alternatives = new GeneralName[names.length + 1];
      for (int i = 0; i < names.length; i++) {
        alternatives[i] = new GeneralName(GeneralName.dNSName, names[i]);
      }
      alternatives[names.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      X509Certificate cert = convert(builder.build(signer(caKeys.getPrivate())));
      return new Leaf(cert, pem(cert), rsa ? pkcs1(keys.getPrivate()) : pkcs8(keys.getPrivate()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** One issued certificate and its key, as PEM text. */
  record Leaf(X509Certificate cert, String certPem, String keyPem) {
    BigInteger serial() {
      return cert.getSerialNumber();
    }

    /** Writes {@code <name>.crt} and {@code <name>.key}; each replaced in one move, as certbot's renewals are. */
    LeafFiles writeTo(Path dir, String name) {
      return new LeafFiles(write(dir.resolve(name + ".crt"), certPem), write(dir.resolve(name + ".key"), keyPem));
    }
  }

  /** The two files of a {@link Leaf}. */
  record LeafFiles(Path cert, Path key) {
  }

  static Path write(Path file, String text) {
    try {
      Path temp = Files.createTempFile(file.getParent(), ".writing", ".pem");
      Files.writeString(temp, text, StandardCharsets.US_ASCII);
      return Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeyPair ec() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static ContentSigner signer(PrivateKey key) throws Exception {
    return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
  }

  private static X509Certificate convert(X509CertificateHolder holder) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static String pem(X509Certificate cert) {
    try {
      return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pkcs8(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
  }

  /** BouncyCastle's PEM writer writes an RSA key as PKCS#1, the way {@code openssl genrsa} (1.x) did. */
  private static String pkcs1(PrivateKey key) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(key);
    }
    return text.toString();
  }
}
