package dev.sluice.mock;

import static dev.sluice.mock.MockServer.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EchoEndpointTest extends MockServerTest {
  private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";


  @Test
  void echoesMethodPathQueryAndRepeatedHeadersInArrivalOrder(VertxTestContext ctx) {
    var request = mock.request(HttpMethod.PUT, "/anything/a/b?x=1&x=2&y=three");
    request.headers().add("X-Multi", "first").add("X-Other", "o").add("x-multi", "second");
    verify(ctx, request.sendBuffer(Buffer.buffer("hi")), response -> {
      assertEquals(200, response.statusCode());
      assertEquals("application/json", response.getHeader("Content-Type"));
      JsonObject echo = response.bodyAsJsonObject();
      assertEquals("PUT", echo.getString("method"));
      assertEquals("/anything/a/b", echo.getString("path"));
      assertEquals("x=1&x=2&y=three", echo.getString("query"));
      JsonObject headers = echo.getJsonObject("headers");
      assertEquals(new JsonArray().add("first").add("second"), headers.getJsonArray("x-multi"));
      assertEquals(new JsonArray().add("o"), headers.getJsonArray("x-other"));
      assertEquals(2, echo.getLong("bodyLength"));
      assertEquals(sha256Hex("hi".getBytes()), echo.getString("bodySha256"));
    });
  }

  @Test
  void hashesA512KiBRandomBinaryBodyExactly(VertxTestContext ctx) {
    byte[] body = new byte[512 * 1024];
    new Random(42).nextBytes(body);
    var sent = mock.request(HttpMethod.POST, "/anything/upload").sendBuffer(Buffer.buffer(body));
    verify(ctx, sent, response -> {
      JsonObject echo = response.bodyAsJsonObject();
      assertEquals(body.length, echo.getLong("bodyLength"));
      assertEquals(sha256Hex(body), echo.getString("bodySha256"));
    });
  }

  @Test
  void reportsPathAndQueryRawWithoutDecodingOrDotSegmentRemoval(Vertx vertx, VertxTestContext ctx) {
    // The core client sends the URI exactly as given; a gateway that rewrites it would show here.
    String uri = "/anything/a/../b%2Fc?q=%2F+x&&flag";
    // Closed when answered, not left to be collected: Vert.x closes an unreachable client with its connections.
    var client = vertx.createHttpClient();
    var echo = client.request(HttpMethod.GET, mock.port(), "127.0.0.1", uri)
        .compose(request -> request.send().compose(HttpClientResponse::body))
        .map(Buffer::toJsonObject)
        .andThen(done -> client.close());
    verify(ctx, echo, json -> {
      assertEquals("/anything/a/../b%2Fc", json.getString("path"));
      assertEquals("q=%2F+x&&flag", json.getString("query"));
    });
  }

  @Test
  void reportsNullQueryAndTheEmptyBodyHashWhenThereIsNeither(VertxTestContext ctx) {
    verify(ctx, mock.get("/anything"), response -> {
      JsonObject echo = response.bodyAsJsonObject();
      assertTrue(echo.containsKey("query"));
      assertNull(echo.getValue("query"));
      assertEquals(0, echo.getLong("bodyLength"));
      assertEquals(EMPTY_SHA256, echo.getString("bodySha256"));
    });
  }

  @Test
  void onlyWholeSegmentsBelongToAnything(VertxTestContext ctx) {
    verify(ctx, mock.get("/anythingelse"), response ->
        assertEquals(new JsonObject().put("ok", true), response.bodyAsJsonObject()));
  }

  @Test
  void answers413ForABodyOverTheLimitAfterReadingIt(Vertx vertx, VertxTestContext ctx) {
    var answer = MockServer.start(vertx, new UpstreamMockOptions().setPort(0).setMaxBodyBytes(1024))
        .compose(small -> small.request(HttpMethod.POST, "/anything").sendBuffer(Buffer.buffer(new byte[4096])));
    verify(ctx, answer, response -> {
      assertEquals(413, response.statusCode());
      assertEquals("PAYLOAD_TOO_LARGE", response.bodyAsJsonObject().getString("error"));
    });
  }

  static String sha256Hex(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
