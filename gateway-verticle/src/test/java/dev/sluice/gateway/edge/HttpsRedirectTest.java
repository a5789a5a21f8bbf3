package dev.sluice.gateway.edge;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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

  /** A bound for a hang, not a speed (a cold client's first request took up to 2 s here under load). */
  private static Answer send(HttpMethod method, String uri, String host) throws Exception {
    return gateway.http().request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(redirectPort())
        .setURI(uri).putHeader("Host", host))
      .compose(request -> request.send())
      .compose(response -> response.body().map(body -> new Answer(response.statusCode(),
        response.getHeader("Location"), body)))
      .await(60, TimeUnit.SECONDS);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
