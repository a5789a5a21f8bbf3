package dev.sluice.gateway.edge;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.gateway.GatewayVerticle;
import dev.sluice.gateway.LocalRedis;
import dev.sluice.gateway.config.ConfigLoader;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSocket;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Renewed certificate files are served to new connections within {@code reloadSeconds}, by every
 * gateway instance, without cutting a connection that is open; a garbled renewal is refused and
 * the served pair stays.
 */
class CertificateReloadTest {
  private static final int INSTANCES = 2;
  private static final long BOUND_MS = 15_000;

  @RegisterExtension
  static final LocalRedis redis = new LocalRedis();

  private final Path dir = TlsListenerTest.tempDir();
  private final TestPki pki = TestPki.create("Sluice Reload CA");
  private Vertx vertx;
  private int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    TestPki.LeafFiles files = pki.issue("gateway.test").writeTo(dir, "tls");
    UpstreamMockVerticle mock = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
    vertx.deployVerticle(mock).await(20, TimeUnit.SECONDS);
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    SluiceConfig config = ConfigLoader.fromJson(new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port)
        .put("tls", new JsonObject().put("cert", files.cert().toString()).put("key", files.key().toString())
          .put("reloadSeconds", 1)))
      .put("redis", new JsonObject().put("url", redis.url()))
      .put("routes", new JsonArray().add(new JsonObject().put("name", "r").put("prefix", "/r").put("stripPrefix", true)
        .put("upstream", "http://127.0.0.1:" + mock.actualPort()))), Map.of());
    vertx.deployVerticle(() -> new GatewayVerticle(config), new DeploymentOptions().setInstances(INSTANCES))
      .await(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void aRenewedPairReachesNewConnectionsWhileAnOpenOneKeepsGoing() throws Exception {
    BigInteger first = TestClients.servedSerial(pki.caPem(), port, "gateway.test");
    HttpClientAgent client = h2Client();
    HttpClientConnection open = client.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port))
      .await(10, TimeUnit.SECONDS);
    assertEquals(200, get(open));

    TestPki.Leaf renewed = pki.issue("gateway.test");
    renewed.writeTo(dir, "tls");
    awaitServed(renewed.serial());
    for (int i = 0; i < 2 * INSTANCES + 2; i++) {
      assertEquals(renewed.serial(), TestClients.servedSerial(pki.caPem(), port, "gateway.test"),
        "every new connection, whichever instance accepts it");
    }
    try (SSLSocket h2 = TestClients.handshake(TestClients.trusting(pki.caPem()), port, null, List.of("h2", "http/1.1"))) {
      assertEquals("h2", h2.getApplicationProtocol(), "a renewal keeps ALPN");
    }

    assertEquals(200, get(open), "the connection opened before the renewal still serves");
    assertEquals(first, ((X509Certificate) open.peerCertificates().get(0)).getSerialNumber());
    open.close();
    client.close();
  }

  @Test
  void aGarbledRenewalIsRefusedWithALogLineAndTheServedPairStays() throws Exception {
    BigInteger served = TestClients.servedSerial(pki.caPem(), port, "gateway.test");
    ListAppender<ILoggingEvent> log = TlsListenerTest.listen(CertificateReloader.class.getName());
    try {
      TestPki.write(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
      ILoggingEvent refusal = awaitLine(log, "refused");
      assertTrue(refusal.getFormattedMessage().contains("http.tls.cert: not a PEM certificate"), refusal.getFormattedMessage());
      assertTrue(refusal.getFormattedMessage().contains("still serving serial " + served.toString(16).toUpperCase()),
        refusal.getFormattedMessage());
      assertEquals(served, TestClients.servedSerial(pki.caPem(), port, "gateway.test"));

      TestPki.Leaf fixed = pki.issue("gateway.test");
      fixed.writeTo(dir, "tls");
      awaitServed(fixed.serial());
    } finally {
      ((Logger) LoggerFactory.getLogger(CertificateReloader.class)).detachAppender(log);
    }
  }

  private HttpClientAgent h2Client() {
    return vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
      .setProtocolVersion(HttpVersion.HTTP_2).setVerifyHost(false)
      .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(pki.caPem()))));
  }

  private static int get(HttpClientConnection connection) throws Exception {
    return connection.request(HttpMethod.GET, "/r/anything").compose(request -> request.send())
      .compose(response -> response.body().map(body -> response.statusCode())).await(10, TimeUnit.SECONDS);
  }

  /** Polls new handshakes, bounded, until one is served {@code serial}. */
  private void awaitServed(BigInteger serial) throws Exception {
    long deadline = System.currentTimeMillis() + BOUND_MS;
    BigInteger seen = null;
    while (System.currentTimeMillis() < deadline) {
      seen = TestClients.servedSerial(pki.caPem(), port, "gateway.test");
      if (seen.equals(serial)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("still served " + seen + " after " + BOUND_MS + " ms, expected " + serial);
  }

  private static ILoggingEvent awaitLine(ListAppender<ILoggingEvent> log, String containing) throws InterruptedException {
    long deadline = System.currentTimeMillis() + BOUND_MS;
    while (System.currentTimeMillis() < deadline) {
      List<ILoggingEvent> lines;
      synchronized (log) { // AppenderBase appends under the appender's lock
        lines = List.copyOf(log.list);
      }
      for (ILoggingEvent event : lines) {
        if (event.getFormattedMessage().contains(containing)) {
          return event;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no log line with '" + containing + "' within " + BOUND_MS + " ms: " + log.list);
  }
}
