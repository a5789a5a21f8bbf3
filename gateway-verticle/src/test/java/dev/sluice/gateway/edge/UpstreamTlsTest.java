package dev.sluice.gateway.edge;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code https://} targets, served by a test upstream whose certificate a CA of the test's own
 * issued: verified against the route's {@code caFile} (for the URL's host or {@code serverName}),
 * refused with 502 and a one-line reason when the CA or the name is wrong, served unverified
 * with {@code verify: false}.
 */
class UpstreamTlsTest {
  static final Path DIR = TlsListenerTest.tempDir();
  static final TestPki UPSTREAM_CA = TestPki.create("Upstream CA");
  static final TestPki OTHER_CA = TestPki.create("Some Other CA");
  static final TestPki.Leaf UPSTREAM = UPSTREAM_CA.issue("pay.internal");
  static final Path CA_FILE = UPSTREAM_CA.writeCa(DIR, "upstream-ca.pem");
  static final Path OTHER_CA_FILE = OTHER_CA.writeCa(DIR, "other-ca.pem");
  static final int PORT = freePort();
  static final String URL = "https://127.0.0.1:" + PORT;
  static final ListAppender<ILoggingEvent> WARNINGS = TlsListenerTest.listen(UpstreamTrust.class.getName());

  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(UpstreamTlsTest::tlsUpstream,
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(GatewayFixture.route("verified", "/verified", URL)
        .put("tls", new JsonObject().put("caFile", CA_FILE.toString())))
      .add(GatewayFixture.route("named", "/named", URL)
        .put("tls", new JsonObject().put("caFile", CA_FILE.toString()).put("serverName", "pay.internal")))
      .add(GatewayFixture.route("wrongca", "/wrongca", URL)
        .put("tls", new JsonObject().put("caFile", OTHER_CA_FILE.toString())))
      .add(GatewayFixture.route("wrongname", "/wrongname", URL)
        .put("tls", new JsonObject().put("caFile", CA_FILE.toString()).put("serverName", "shop.internal")))
      .add(GatewayFixture.route("jvmtrust", "/jvmtrust", URL))
      .add(GatewayFixture.route("unverified", "/unverified", URL)
        .put("tls", new JsonObject().put("verify", false)))));

  /** Answers with the name the client asked for by SNI and the Host it sent. */
  private static Future<HttpServer> tlsUpstream(Vertx vertx) {
    return vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(UPSTREAM.certPem()))
          .setKeyValue(Buffer.buffer(UPSTREAM.keyPem()))))
      .requestHandler(request -> request.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("sni", request.connection().indicatedServerName())
          .put("host", request.getHeader("Host")).put("path", request.path()).encode()))
      .listen(PORT, "127.0.0.1");
  }

  @Test
  void anHttpsTargetIsVerifiedAgainstTheRoutesCaFile() throws Exception {
    HttpResponse<Buffer> response = get("/verified/x");
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals("/verified/x", response.bodyAsJsonObject().getString("path"));
  }

  @Test
  void serverNameIsAskedForBySniVerifiedAndSentAsHost() throws Exception {
    HttpResponse<Buffer> response = get("/named/x");
    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonObject seen = response.bodyAsJsonObject();
    assertEquals("pay.internal", seen.getString("sni"));
    assertEquals("pay.internal:" + PORT, seen.getString("host"));
  }

  @Test
  void aWrongCaOrNameOrNoCaFileIs502WithTheReasonInOneLogLine() throws Exception {
    ListAppender<ILoggingEvent> log = TlsListenerTest.listen("dev.sluice.gateway.upstream.TlsFailureLog");
    try {
      for (String path : List.of("/wrongca/x", "/wrongname/x", "/jvmtrust/x")) {
        HttpResponse<Buffer> response = get(path);
        assertEquals(502, response.statusCode(), path);
        assertEquals("UPSTREAM_UNAVAILABLE", response.bodyAsJsonObject().getString("code"), path);
      }
      List<ILoggingEvent> lines;
      synchronized (log) {
        lines = List.copyOf(log.list);
      }
      // wrongca and jvmtrust fail the same target for the same reason: the second is quiet for a while
      assertEquals(2, lines.size(), "one line per target and reason: " + lines);
      for (ILoggingEvent line : lines) {
        assertTrue(line.getFormattedMessage().startsWith("upstream " + URL + ": TLS handshake failed: "),
          line.getFormattedMessage());
        assertNull(line.getThrowableProxy(), "a reason, not a stack trace");
      }
      assertTrue(lines.get(0).getFormattedMessage().contains("unable to find valid certification path"), lines.get(0).getFormattedMessage());
      assertTrue(lines.get(1).getFormattedMessage().contains("shop.internal"), lines.get(1).getFormattedMessage());
    } finally {
      ((Logger) LoggerFactory.getLogger("dev.sluice.gateway.upstream.TlsFailureLog")).detachAppender(log);
    }
  }

  @Test
  void verifyFalseServesAnyCertificateAndWasWarnedAboutAtStart() throws Exception {
    assertEquals(200, get("/unverified/x").statusCode());
    List<ILoggingEvent> lines;
    synchronized (WARNINGS) {
      lines = List.copyOf(WARNINGS.list);
    }
    assertTrue(lines.stream().anyMatch(line -> line.getFormattedMessage().startsWith("route unverified: tls.verify is false")),
      "warned at start: " + lines);
  }

  @Test
  void aVerifiedRouteNeverReusesAnUnverifiedRoutesConnectionToTheSameHostAndPort() throws Exception {
    assertEquals(200, get("/unverified/x").statusCode(), "leaves an unchecked connection in a pool");
    assertEquals(502, get("/jvmtrust/x").statusCode(), "which the JVM-trust route must not take");
  }

  private static HttpResponse<Buffer> get(String path) throws Exception {
    return gateway.client().get(path).send().await(20, TimeUnit.SECONDS);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
