package dev.sluice.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo --tls}: a throwaway self-signed certificate for localhost and 127.0.0.1, made at
 * start with the JDK's own {@code keytool} (the JDK has no API to sign a certificate, and the
 * demo should need nothing else), then written as the PEM pair a real node is configured with.
 * Made on the main thread, before Vert.x starts; the files live in a temporary directory.
 */
final class DemoCertificate {
  private static final long KEYTOOL_TIMEOUT_S = 60;

  record PemFiles(Path cert, Path key) {
  }

  private DemoCertificate() {
  }

  static PemFiles make() {
    try {
      Path dir = Files.createTempDirectory("sluice-demo-tls");
      Path store = dir.resolve("demo.p12");
      String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
      keytool(store, password);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keys.load(in, password.toCharArray());
      }
      Key key = keys.getKey("sluice", password.toCharArray());
      Certificate cert = keys.getCertificate("sluice");
      Path certFile = Files.writeString(dir.resolve("tls.crt"), pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
      Path keyFile = Files.writeString(dir.resolve("tls.key"), pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
      Files.delete(store);
      for (Path file : new Path[] {certFile, keyFile, dir}) {
        file.toFile().deleteOnExit();
      }
      return new PemFiles(certFile, keyFile);
    } catch (IOException | GeneralSecurityException e) {
      throw SluiceMain.startupFailure("cannot make the demo's certificate", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SluiceMain.startupFailure("cannot make the demo's certificate", e);
    }
  }

  private static void keytool(Path store, String password) throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "sluice",
      "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "7",
      "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
      "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", password)
      .redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("keytool did not finish in " + KEYTOOL_TIMEOUT_S + " s");
    }
    if (process.exitValue() != 0) {
      throw new IOException("keytool failed: " + output.trim());
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
