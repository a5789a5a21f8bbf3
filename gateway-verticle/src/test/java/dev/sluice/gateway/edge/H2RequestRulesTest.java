package dev.sluice.gateway.edge;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLContext;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An h2 request crosses to an HTTP/1.1 upstream, and the answer back, with only end-to-end
 * headers; a malformed h2 request (RFC 9113 §8.2) is a stream error or a 400 and reaches no upstream.
 */
class H2RequestRulesTest {
  static final Path DIR = TlsListenerTest.tempDir();
  static final TestPki PKI = TestPki.create("Sluice Test CA");
  static final TestPki.LeafFiles FILES = PKI.issue("gateway.test").writeTo(DIR, "tls");
  static final SSLContext TRUSTING = TestClients.trusting(PKI.caPem());
  static final int HOPPY_PORT = freePort();

  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(H2RequestRulesTest::hoppyUpstream,
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
        .add(GatewayFixture.route("open", "/open", mock).put("stripPrefix", true))
        .add(GatewayFixture.route("hoppy", "/hoppy", "http://127.0.0.1:" + HOPPY_PORT)))
      .put("http", new JsonObject().put("tls", new JsonObject().put("cert", FILES.cert().toString())
        .put("key", FILES.key().toString()))));

  /** An HTTP/1.1 upstream that answers with every connection-specific header it can. */
  private static Future<HttpServer> hoppyUpstream(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(request -> request.response()
        .putHeader("Connection", "keep-alive, X-Hop")
        .putHeader("Keep-Alive", "timeout=5")
        .putHeader("X-Hop", "only for this connection")
        .putHeader("Proxy-Connection", "keep-alive")
        .putHeader("X-End", "kept")
        .setChunked(true)
        .end("chunked on the upstream's side"))
      .listen(HOPPY_PORT, "127.0.0.1");
  }

  @Test
  void anH2RequestReachesAnHttp11UpstreamWithNoPseudoOrConnectionHeaders() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TRUSTING).build();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port()
          + "/open/anything?x=1"))
        .POST(HttpRequest.BodyPublishers.ofString("twelve bytes")).timeout(Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString());
    assertEquals(HttpClient.Version.HTTP_2, response.version());
    assertEquals(200, response.statusCode());
    JsonObject echo = new JsonObject(response.body());
    assertEquals("POST", echo.getString("method"));
    assertEquals("/anything", echo.getString("path"));
    assertEquals(12, echo.getLong("bodyLength"));
    JsonObject headers = echo.getJsonObject("headers");
    for (String name : headers.fieldNames()) {
      assertFalse(name.startsWith(":"), "a pseudo-header went upstream: " + headers);
    }
    for (String hop : new String[] {"connection", "keep-alive", "te", "upgrade", "http2-settings", "transfer-encoding"}) {
      assertFalse(headers.containsKey(hop), hop + " went upstream: " + headers);
    }
    assertEquals("https", headers.getJsonArray("x-forwarded-proto").getString(0));
    assertEquals("127.0.0.1:" + gateway.port(), headers.getJsonArray("x-forwarded-host").getString(0),
      "the h2 :authority, as an HTTP/1.1 Host would be");
  }

  @Test
  void anHttp11UpstreamsConnectionHeadersDoNotReachAnH2Client() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TRUSTING).build();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port()
      + "/hoppy/x")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(HttpClient.Version.HTTP_2, response.version());
    assertEquals(200, response.statusCode());
    assertEquals("chunked on the upstream's side", response.body());
    assertEquals("kept", response.headers().firstValue("x-end").orElse(null));
    for (String hop : new String[] {"connection", "keep-alive", "x-hop", "proxy-connection", "transfer-encoding"}) {
      assertTrue(response.headers().firstValue(hop).isEmpty(), hop + " reached the client: " + response.headers().map());
    }
  }

  @Test
  void malformedH2RequestsAreStreamErrorsAndNothingReachesTheUpstream() throws Exception {
    gateway.resetMock().await(10, TimeUnit.SECONDS);
    String authority = "127.0.0.1:" + gateway.port();
    byte[][] heads = {
      RawH2.block(":method", "GET", ":scheme", "https", ":authority", authority, ":path", "/open/anything",
        "connection", "keep-alive"),
      RawH2.block(":method", "GET", ":scheme", "https", ":authority", authority, ":path", "/open/anything",
        "X-Upper", "case"),
      RawH2.block(":method", "GET", ":scheme", "https", ":authority", authority, ":path", "/open/anything",
        "te", "gzip"),
      RawH2.block(":method", "GET", ":scheme", "https", ":authority", authority, ":path", "/open/anything",
        "transfer-encoding", "chunked"),
      RawH2.block(":method", "GET", ":scheme", "https", ":authority", authority, "x-before", "pseudo",
        ":path", "/open/anything"),
      RawH2.block(":method", "GET", ":scheme", "https", ":authority", authority),
      RawH2.block(":method", "GET", ":scheme", "https", ":authority", authority, ":path", "/open/anything",
        "content-length", "5"),
    };
    for (int i = 0; i < heads.length; i++) {
      try (RawH2 h2 = new RawH2(TRUSTING, gateway.port())) {
        h2.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 1, heads[i]);
        RawH2.Answer answer = h2.answerTo(1);
        assertTrue(answer.refused(), "case " + i + " answered " + answer);
      }
    }
    try (RawH2 h2 = new RawH2(TRUSTING, gateway.port())) {
      h2.frame(RawH2.HEADERS, RawH2.END_HEADERS, 1, RawH2.block(":method", "POST", ":scheme", "https",
        ":authority", authority, ":path", "/open/anything", "content-length", "10"));
      h2.frame(RawH2.DATA, RawH2.END_STREAM, 1, "3by".getBytes(StandardCharsets.US_ASCII));
      RawH2.Answer answer = h2.answerTo(1);
      assertTrue(answer.refused(), "a body shorter than its content-length answered " + answer);
    }
    try (RawH2 h2 = new RawH2(TRUSTING, gateway.port())) {
      h2.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 1, RawH2.block(":method", "GET", ":scheme", "https",
        ":authority", authority, ":path", "/open/anything", "te", "trailers"));
      RawH2.Answer answer = h2.answerTo(1);
      assertEquals(new RawH2.Answer(RawH2.HEADERS, 200), answer, "te: trailers is the one te h2 allows: a 200");
    }
    JsonObject stats = gateway.mockStats().await(10, TimeUnit.SECONDS);
    assertEquals(1, stats.getLong("total"), "only the well-formed request went upstream: " + stats);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
