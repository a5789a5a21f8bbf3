package dev.sluice.gateway.edge;

import dev.sluice.gateway.GatewayVerticle;
import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.ConfigLoader;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.gateway.config.TlsOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a certificate file can be wrong stops the start with one line that begins with the
 * field naming the file (the launcher prints it and exits 2), and nothing listens.
 */
class BadCertificateFilesTest {
  static final Path DIR = TlsListenerTest.tempDir();
  static final TestPki PKI = TestPki.create("Sluice Test CA");
  static final TestPki.LeafFiles GOOD = PKI.issue("gateway.test").writeTo(DIR, "good");
  static final TestPki.LeafFiles OTHER = PKI.issue("gateway.test").writeTo(DIR, "other");
  static final TestPki.LeafFiles EXPIRED = PKI.expired("gateway.test").writeTo(DIR, "expired");
  static final TestPki.LeafFiles API = PKI.issue("api.test").writeTo(DIR, "api");
  static final Path GARBLED = TestPki.write(DIR.resolve("garbled.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
    + "-----END CERTIFICATE-----\n");
  static final Path NOT_A_KEY = TestPki.write(DIR.resolve("not-a-key.pem"), "hello\n");
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aMissingCertificateIsNamedByItsField() {
    assertEquals(List.of("http.tls.cert: cannot read " + DIR.resolve("absent.crt") + " (no such file)"),
      problems(tls(DIR.resolve("absent.crt"), GOOD.key())));
  }

  @Test
  void anUnreadableKeyIsNamedByItsField() {
    // a directory where the key should be: unreadable even for root, who ignores file modes
    List<String> problems = problems(tls(GOOD.cert(), DIR));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("http.tls.key: cannot read " + DIR), problems.get(0));
  }

  @Test
  void aKeyThatDoesNotFitTheCertificateIsRefused() {
    assertEquals(List.of("http.tls.key: does not fit the certificate in http.tls.cert (" + OTHER.key() + ")"),
      problems(tls(GOOD.cert(), OTHER.key())));
  }

  @Test
  void anExpiredCertificateIsRefusedWithItsEndDate() {
    List<String> problems = problems(tls(EXPIRED.cert(), EXPIRED.key()));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("http.tls.cert: expired on "), problems.get(0));
    assertTrue(problems.get(0).endsWith("(" + EXPIRED.cert() + ")"), problems.get(0));
  }

  @Test
  void aGarbledCertificateAndANonKeyAreRefused() {
    assertEquals(List.of("http.tls.cert: not a PEM certificate (" + GARBLED + ")"), problems(tls(GARBLED, GOOD.key())));
    assertEquals(List.of("http.tls.key: not a PEM private key (PKCS#8 or PKCS#1) (" + NOT_A_KEY + ")"),
      problems(tls(GOOD.cert(), NOT_A_KEY)));
  }

  @Test
  void anSniCertificateMustNameItsHostAndEveryBadFileIsReportedAtOnce() {
    TlsOptions tls = new TlsOptions(GOOD.cert(), OTHER.key(), 60,
      List.of(new TlsOptions.SniCertificate("shop.test", API.cert(), API.key())));
    assertEquals(List.of("http.tls.key: does not fit the certificate in http.tls.cert (" + OTHER.key() + ")",
        "http.tls.sni[0].cert: does not name host shop.test (it names api.test) (" + API.cert() + ")"),
      problems(tls));
  }

  @Test
  void aGatewayWithABadFileDoesNotStartAndFailsWithTheConfigProblem() {
    JsonObject json = new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0)
        .put("tls", new JsonObject().put("cert", EXPIRED.cert().toString()).put("key", EXPIRED.key().toString())))
      .put("routes", new JsonArray().add(new JsonObject().put("name", "r").put("prefix", "/r")
        .put("upstream", "http://127.0.0.1:9")));
    SluiceConfig config = ConfigLoader.fromJson(json, Map.of());
    Exception failure = assertThrows(Exception.class,
      () -> vertx.deployVerticle(new GatewayVerticle(config)).await(10, TimeUnit.SECONDS));
    ConfigException problem = assertInstanceOf(ConfigException.class, failure);
    assertTrue(problem.problems().get(0).startsWith("http.tls.cert: expired on "), problem.getMessage());
  }

  @Test
  void theEnvironmentNamesTheFilesToo() {
    JsonObject json = new JsonObject().put("routes", new JsonArray().add(new JsonObject().put("name", "r")
      .put("prefix", "/r").put("upstream", "http://127.0.0.1:9")));
    SluiceConfig config = ConfigLoader.fromJson(json, Map.of("SLUICE_TLS_CERT", GOOD.cert().toString(),
      "SLUICE_TLS_KEY", GOOD.key().toString()));
    assertEquals(GOOD.cert(), config.http().tls().cert());
    assertEquals(GOOD.key(), config.http().tls().key());
    assertEquals(List.of(), problems(config.http().tls()));
  }

  private static TlsOptions tls(Path cert, Path key) {
    return new TlsOptions(cert, key, 60, List.of());
  }

  private static List<String> problems(TlsOptions tls) {
    try {
      ServerCertificates.load(vertx, tls).await(10, TimeUnit.SECONDS);
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    } catch (Exception e) {
      throw new AssertionError("not a config problem", e);
    }
  }
}
