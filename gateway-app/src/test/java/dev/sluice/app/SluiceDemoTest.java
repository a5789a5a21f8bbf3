package dev.sluice.app;

import dev.sluice.gateway.auth.AuthMethod;
import dev.sluice.gateway.config.ConfigLoader;
import dev.sluice.gateway.config.RouteConfig;
import org.junit.jupiter.api.Test;

import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.gateway.edge.ServerCertificates;
import io.vertx.core.Vertx;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceDemoTest {
  @Test
  void theLinesBeforeTheDemoHasItsConfigHaveTheFormatItsConfigWillHave() {
    for (Map<String, String> env : java.util.List.of(Map.<String, String>of(), Map.of("SLUICE_LOG_FORMAT", ""),
      Map.of("SLUICE_LOG_FORMAT", "text"), Map.of("SLUICE_LOG_FORMAT", " json "))) {
      assertEquals(ConfigLoader.fromJson(SluiceDemo.demoConfig(5001, 5002, "redis://127.0.0.1:6379"), env).log().format(),
        SluiceDemo.earlyLogFormat(env), env.toString());
    }
  }

  @Test
  void theDemoHasARouteForApiKeyConsumers() {
    RouteConfig keyed = ConfigLoader.fromJson(SluiceDemo.demoConfig(5001, 5002, "redis://127.0.0.1:6379"), Map.of())
      .routes().stream().filter(r -> r.name().equals("keyed")).findFirst().orElseThrow();
    assertEquals(java.util.List.of(AuthMethod.API_KEY), keyed.auth().methods());
    assertTrue(keyed.policy().rateLimit().limit() <= 10, "small enough to see a 429 by hand");
  }

  @Test
  void demoTlsMakesACertificateThatPassesTheGatewaysOwnChecks() throws Exception {
    DemoCertificate.PemFiles files = DemoCertificate.make();
    SluiceConfig config = ConfigLoader.fromJson(SluiceDemo.withTls(SluiceDemo.demoConfig(5001, 5002,
      "redis://127.0.0.1:6379"), files), Map.of());
    assertTrue(config.http().http2On());
    assertEquals(SluiceDemo.DEMO_PLAIN_PORT, config.http().redirectPort());
    Vertx vertx = Vertx.vertx();
    try {
      ServerCertificates served = ServerCertificates.load(vertx, config.http().tls()).await(20, TimeUnit.SECONDS);
      assertTrue(served.describe().startsWith("serial "), served.describe());
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aMissingCertificateFileEndsTheStartWithExit2AndOneLineNamingTheField(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path config = Files.writeString(dir.resolve("gateway.yaml"), String.join("\n",
      "http:",
      "  tls: { cert: " + dir.resolve("absent.crt") + ", key: " + dir.resolve("absent.key") + " }",
      "routes:",
      "  - { name: r, prefix: /r, upstream: 'http://127.0.0.1:9' }", ""));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SluiceMain.start(new String[] {"run", "--config", config.toString()}, Map.of(),
      new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(SluiceMain.EXIT_USAGE, code);
    assertEquals(String.join("\n",
        "sluice: config: http.tls.cert: cannot read " + dir.resolve("absent.crt") + " (no such file)",
        "sluice: config: http.tls.key: cannot read " + dir.resolve("absent.key") + " (no such file)", ""),
      err.toString(StandardCharsets.UTF_8));
  }
}
