package dev.sluice.gateway.edge;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS listener with real sockets and certificates of the test's own CA: HTTP/1.1 and h2 by
 * ALPN, SNI, and h2 streams through the same pipeline (limits, access log) as HTTP/1.1 requests.
 */
class TlsListenerTest {
  static final Path DIR = tempDir();
  static final TestPki PKI = TestPki.create("Sluice Test CA");
  static final TestPki.Leaf MAIN = PKI.issue("gateway.test", "localhost");
  static final TestPki.Leaf API = PKI.issue("api.other.test");
  static final TestPki.Leaf WILD = PKI.issueRsaPkcs1("*.wild.test");
  static final SSLContext TRUSTING = TestClients.trusting(PKI.caPem());
  static final int LIMIT = 30;

  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(GatewayFixture.route("open", "/open", mock).put("stripPrefix", true))
      .add(GatewayFixture.route("limited", "/limited", mock).put("stripPrefix", true)
        .put("rateLimit", new JsonObject().put("limit", LIMIT).put("windowMs", 60_000))))
    .put("http", new JsonObject().put("tls", tls())));

  private static JsonObject tls() {
    TestPki.LeafFiles main = MAIN.writeTo(DIR, "main");
    TestPki.LeafFiles api = API.writeTo(DIR, "api");
    TestPki.LeafFiles wild = WILD.writeTo(DIR, "wild");
    return new JsonObject().put("cert", main.cert().toString()).put("key", main.key().toString())
      .put("sni", new JsonArray()
        .add(new JsonObject().put("host", "api.other.test").put("cert", api.cert().toString()).put("key", api.key().toString()))
        .add(new JsonObject().put("host", "*.wild.test").put("cert", wild.cert().toString()).put("key", wild.key().toString())));
  }

  @Test
  void javasHttpClientGetsHttp2ByAlpnAndTheUpstreamsAnswer() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TRUSTING)
      .connectTimeout(Duration.ofSeconds(10)).build();
    ListAppender<ILoggingEvent> access = listen("sluice.access");
    try {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port()
        + "/open/anything")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      assertEquals(HttpClient.Version.HTTP_2, response.version());
      assertTrue(response.headers().firstValue("X-Request-Id").isPresent(), "the pipeline's own header");
      ILoggingEvent line = awaitLine(access);
      Map<String, Object> facts = line.getKeyValuePairs().stream().collect(Collectors.toMap(p -> p.key, p -> p.value));
      assertEquals("h2", facts.get("proto"));
      assertEquals("open", facts.get("route"));
      assertEquals(200, facts.get("status"));
    } finally {
      ((Logger) LoggerFactory.getLogger("sluice.access")).detachAppender(access);
    }
  }

  @Test
  void anHttp11ClientStillGetsHttp11OverTls() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(TRUSTING).build();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port()
      + "/open/anything")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals(HttpClient.Version.HTTP_1_1, response.version());
  }

  @Test
  void alpnOffersH2ThenHttp11AndNegotiatesOnlyTls12Or13() throws IOException {
    try (SSLSocket socket = TestClients.handshake(TRUSTING, gateway.port(), "gateway.test", List.of("h2", "http/1.1"))) {
      assertEquals("h2", socket.getApplicationProtocol());
      assertTrue(List.of("TLSv1.2", "TLSv1.3").contains(socket.getSession().getProtocol()), socket.getSession().getProtocol());
    }
    try (SSLSocket socket = TestClients.handshake(TRUSTING, gateway.port(), null, List.of("http/1.1"))) {
      assertEquals("http/1.1", socket.getApplicationProtocol());
    }
  }

  @Test
  void sniServesEachNamesOwnCertificateAndTheDefaultForAnyOtherName() throws IOException {
    int port = gateway.port();
    assertEquals(API.serial(), TestClients.servedSerial(PKI.caPem(), port, "api.other.test"));
    assertEquals(WILD.serial(), TestClients.servedSerial(PKI.caPem(), port, "eu.wild.test"), "a wildcard entry");
    assertEquals(MAIN.serial(), TestClients.servedSerial(PKI.caPem(), port, "gateway.test"));
    assertEquals(MAIN.serial(), TestClients.servedSerial(PKI.caPem(), port, "unknown.example"), "an unknown name");
    assertEquals(MAIN.serial(), TestClients.servedSerial(PKI.caPem(), port, "a.b.wild.test"), "* is one label only");
    assertEquals(MAIN.serial(), TestClients.servedSerial(PKI.caPem(), port, null), "no SNI at all");
  }

  @Test
  void aHundredConcurrentStreamsOnOneH2ConnectionAreLimitedExactly() throws Exception {
    HttpClientAgent client = gateway.vertx().createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
      .setProtocolVersion(HttpVersion.HTTP_2).setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(PKI.caPem())))
      .setVerifyHost(false));
    List<Integer> statuses = client.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(gateway.port()))
      .compose(connection -> {
        assertEquals(100, connection.maxActiveStreams(), "http.http2.maxConcurrentStreams's default");
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          answers.add(connection.request(HttpMethod.GET, "/limited/anything")
            .compose(request -> request.send())
            .compose(response -> {
              assertEquals(HttpVersion.HTTP_2, response.version());
              return response.body().map(body -> response.statusCode());
            }));
        }
        return Future.all(answers).map(all -> answers.stream().map(Future::result).toList())
          .eventually(connection::close);
      })
      .eventually(client::close)
      .await(60, TimeUnit.SECONDS);
    assertEquals(LIMIT, statuses.stream().filter(s -> s == 200).count(), "admitted: " + statuses);
    assertEquals(100 - LIMIT, statuses.stream().filter(s -> s == 429).count(), "limited: " + statuses);
  }

  @Test
  void anH2UploadRefusedBeforeItIsReadEndsItsStreamNotTheConnection() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TRUSTING).build();
    URI open = URI.create("https://127.0.0.1:" + gateway.port() + "/open/anything");
    assertEquals(200, client.send(HttpRequest.newBuilder(open).timeout(Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString()).statusCode(), "the connection is up");
    HttpResponse<String> tooLarge = client.send(HttpRequest.newBuilder(open).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2 * 1024 * 1024])).build(),
      HttpResponse.BodyHandlers.ofString());
    assertEquals(413, tooLarge.statusCode());
    assertEquals(HttpClient.Version.HTTP_2, tooLarge.version());
    assertTrue(tooLarge.body().contains("PAYLOAD_TOO_LARGE"), tooLarge.body());
    assertTrue(tooLarge.headers().firstValue("connection").isEmpty(), "no Connection header on h2");
    assertEquals(200, client.send(HttpRequest.newBuilder(open).timeout(Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString()).statusCode(), "the same client's next stream");
  }

  static ListAppender<ILoggingEvent> listen(String logger) {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(logger)).addAppender(appender);
    return appender;
  }

  /** The access line is written as the answer goes out: it may come a moment after the client has it. */
  private static ILoggingEvent awaitLine(ListAppender<ILoggingEvent> appender) throws InterruptedException {
    for (int i = 0; i < 200 && appender.list.isEmpty(); i++) {
      Thread.sleep(10);
    }
    assertTrue(!appender.list.isEmpty(), "an access line");
    return appender.list.get(0);
  }

  static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("sluice-tls");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
