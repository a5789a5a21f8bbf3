package dev.sluice.gateway.edge;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A route's {@code h2: true}: HTTP/2 to its targets, by ALPN over TLS and by prior knowledge in
 * cleartext, whatever the client speaks; without it, HTTP/1.1 to the same upstream.
 */
class UpstreamH2Test {
  static final Path DIR = TlsListenerTest.tempDir();
  static final TestPki CA = TestPki.create("Upstream CA");
  static final TestPki.Leaf UPSTREAM = CA.issue("pay.internal");
  static final Path CA_FILE = CA.writeCa(DIR, "ca.pem");
  static final int TLS_PORT = freePort();
  static final int PLAIN_PORT = freePort();

  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(UpstreamH2Test::upstreams,
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(GatewayFixture.route("h2tls", "/h2tls", "https://127.0.0.1:" + TLS_PORT).put("h2", true)
        .put("tls", new JsonObject().put("caFile", CA_FILE.toString())))
      .add(GatewayFixture.route("h2c", "/h2c", "http://127.0.0.1:" + PLAIN_PORT).put("h2", true))
      .add(GatewayFixture.route("h1", "/h1", "http://127.0.0.1:" + PLAIN_PORT))));

  /** Two upstreams that speak h2 and HTTP/1.1 and answer with the version a request came in. */
  private static Future<?> upstreams(Vertx vertx) {
    HttpServerOptions tls = new HttpServerOptions().setSsl(true).setUseAlpn(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(UPSTREAM.certPem()))
        .setKeyValue(Buffer.buffer(UPSTREAM.keyPem())));
    return Future.all(
      vertx.createHttpServer(tls).requestHandler(UpstreamH2Test::version).listen(TLS_PORT, "127.0.0.1"),
      vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(UpstreamH2Test::version).listen(PLAIN_PORT, "127.0.0.1"));
  }

  private static void version(io.vertx.core.http.HttpServerRequest request) {
    request.body().onSuccess(body -> request.response().end(new JsonObject().put("version", request.version().name())
      .put("path", request.path()).put("bodyLength", body.length()).encode()));
  }

  @Test
  void anH2RouteSpeaksHttp2ToATlsTargetByAlpn() throws Exception {
    JsonObject seen = get("/h2tls/x");
    assertEquals("HTTP_2", seen.getString("version"));
    assertEquals("/h2tls/x", seen.getString("path"));
  }

  @Test
  void anH2RouteSpeaksHttp2ToACleartextTargetByPriorKnowledgeAndCarriesTheBody() throws Exception {
    HttpResponse<Buffer> response = gateway.client().post("/h2c/upload").sendBuffer(Buffer.buffer(new byte[100_000]))
      .await(20, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals("HTTP_2", response.bodyAsJsonObject().getString("version"));
    assertEquals(100_000, response.bodyAsJsonObject().getInteger("bodyLength"));
  }

  @Test
  void anyOtherRouteSpeaksHttp11ToTheSameUpstream() throws Exception {
    assertEquals("HTTP_1_1", get("/h1/x").getString("version"));
  }

  private static JsonObject get(String path) throws Exception {
    HttpResponse<Buffer> response = gateway.client().get(path).send().await(20, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
