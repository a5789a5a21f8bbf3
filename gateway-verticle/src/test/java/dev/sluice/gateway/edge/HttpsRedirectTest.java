package dev.sluice.gateway.edge;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code http.redirectPort}: cleartext answers 308 to the same URL on https, except {@code /__health}. */
class HttpsRedirectTest {
  static final Path DIR = TlsListenerTest.tempDir();
  static final TestPki PKI = TestPki.create("Sluice Test CA");
  static final TestPki.LeafFiles FILES = PKI.issue("gateway.test").writeTo(DIR, "tls");

  // The port is chosen once the mock listens: a port picked before could be the one the OS then gives the mock,
  // and Vert.x would share that listener between the mock and the redirect instead of failing.
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(GatewayFixture.route("open", "/open", mock)))
    .put("http", new JsonObject().put("redirectPort", freePort())
      .put("tls", new JsonObject().put("cert", FILES.cert().toString()).put("key", FILES.key().toString()))));

  @Test
  void aCleartextRequestIsRedirectedToTheSameUrlOnHttps() throws Exception {
    Answer response = send(HttpMethod.GET, "/open/a%20b?x=1&y=2", "gateway.test:" + redirectPort());
    assertEquals(308, response.statusCode());
    assertEquals("https://gateway.test:" + gateway.port() + "/open/a%20b?x=1&y=2", response.location());
  }

  @Test
  void aPostIsRedirectedWith308SoItStaysAPost() throws Exception {
    Answer response = send(HttpMethod.POST, "/open/orders", "shop.example");
    assertEquals(308, response.statusCode());
    assertEquals("https://shop.example:" + gateway.port() + "/open/orders", response.location());
  }

  @Test
  void healthStillAnswersOnTheCleartextPort() throws Exception {
    Answer response = send(HttpMethod.GET, "/__health", "gateway.test");
    assertEquals(200, response.statusCode());
    assertEquals(new JsonObject().put("status", "UP"), response.body().toJsonObject());
  }

  record Answer(int statusCode, String location, Buffer body) {
  }

  private static int redirectPort() {
    return gateway.config().http().redirectPort();
  }

  /**
   * One request on a connection of its own, as curl would send it. (With the shared Vert.x test
   * client the class's first request sometimes got no answer within 60 s, in CI too; not understood
   * yet, see the closing note of 2026-12-07. The read timeout still fails a hang here.)
   */
  private static Answer send(HttpMethod method, String uri, String host) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redirectPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write((method.name() + " " + uri + " HTTP/1.1\r\nHost: " + host
        + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      int headEnd = answer.indexOf("\r\n\r\n");
      String location = null;
      for (String line : answer.substring(0, headEnd).split("\r\n")) {
        if (line.regionMatches(true, 0, "location:", 0, 9)) {
          location = line.substring(9).trim();
        }
      }
      return new Answer(Integer.parseInt(answer.substring(9, 12)), location, Buffer.buffer(answer.substring(headEnd + 4)));
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
