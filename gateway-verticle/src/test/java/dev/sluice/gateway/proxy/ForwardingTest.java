package dev.sluice.gateway.proxy;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ForwardingTest {
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest((redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(route("echo", "/echo", mock + "/anything").put("stripPrefix", true))
      .add(route("anything", "/anything", mock))
      .add(route("users", "/users", mock + "/anything")))
    .put("http", new JsonObject().put("maxBodyBytes", 1_048_576)));

  @Test
  void aBinaryBodyReachesTheUpstreamByteForByte(VertxTestContext ctx) throws Exception {
    byte[] bytes = new byte[512 * 1024];
    new Random(7).nextBytes(bytes);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    gateway.client().post("/anything/upload").putHeader("Content-Type", "application/octet-stream")
      .sendBuffer(Buffer.buffer(bytes))
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(200, r.statusCode());
        JsonObject echo = r.bodyAsJsonObject();
        assertEquals("POST", echo.getString("method"));
        assertEquals(bytes.length, echo.getInteger("bodyLength"));
        assertEquals(sha, echo.getString("bodySha256"));
        ctx.completeNow();
      })));
  }

  @Test
  void queryAndRepeatedHeadersArriveAsSent(VertxTestContext ctx) {
    gateway.client().get("/anything/q?b=2&a=1&a=%20x").putHeader("X-Multi", List.of("one", "two"))
      .send()
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        JsonObject echo = r.bodyAsJsonObject();
        assertEquals("/anything/q", echo.getString("path"));
        assertEquals("b=2&a=1&a=%20x", echo.getString("query"));
        assertEquals(new JsonArray().add("one").add("two"), echo.getJsonObject("headers").getJsonArray("x-multi"));
        ctx.completeNow();
      })));
  }

  @Test
  void hopByHopHeadersAreStrippedAndForwardedHeadersSet(VertxTestContext ctx) {
    gateway.client().get("/anything/hop")
      .putHeader("Connection", "keep-alive, X-Private-Hop")
      .putHeader("X-Private-Hop", "secret")
      .putHeader("Keep-Alive", "timeout=5")
      .putHeader("TE", "trailers")
      .putHeader("Trailer", "X-Checksum")
      .putHeader("Proxy-Authorization", "Basic abc")
      .putHeader("X-Forwarded-For", "203.0.113.9")
      .putHeader("X-Kept", "yes")
      .send()
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        JsonObject headers = r.bodyAsJsonObject().getJsonObject("headers");
        for (String hop : List.of("x-private-hop", "keep-alive", "te", "trailer", "proxy-authorization")) {
          assertFalse(headers.containsKey(hop), hop + " must not be forwarded");
        }
        assertEquals("yes", headers.getJsonArray("x-kept").getString(0));
        assertEquals("203.0.113.9, 127.0.0.1", headers.getJsonArray("x-forwarded-for").getString(0));
        assertEquals("http", headers.getJsonArray("x-forwarded-proto").getString(0));
        assertEquals("127.0.0.1:" + gateway.port(), headers.getJsonArray("x-forwarded-host").getString(0));
        assertEquals("127.0.0.1:" + gateway.mockPort(), headers.getJsonArray("host").getString(0));
        ctx.completeNow();
      })));
  }

  @Test
  void theRequestIdIsKeptOrMadeAndEchoedOnTheAnswer(VertxTestContext ctx) {
    gateway.client().get("/anything/id").putHeader("X-Request-Id", "req-42").send()
      .compose(kept -> {
        ctx.verify(() -> {
          assertEquals("req-42", kept.getHeader("X-Request-Id"));
          assertEquals("req-42", kept.bodyAsJsonObject().getJsonObject("headers").getJsonArray("x-request-id").getString(0));
        });
        return gateway.client().get("/anything/id").send();
      })
      .onComplete(ctx.succeeding(made -> ctx.verify(() -> {
        String id = made.getHeader("X-Request-Id");
        assertNotNull(id);
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        assertEquals(id, made.bodyAsJsonObject().getJsonObject("headers").getJsonArray("x-request-id").getString(0));
        ctx.completeNow();
      })));
  }

  @Test
  void stripPrefixRemovesTheRoutePrefixBeforeTheUpstreamBasePath(VertxTestContext ctx) {
    gateway.client().get("/echo/hello/world").send()
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals("/anything/hello/world", r.bodyAsJsonObject().getString("path"));
        ctx.completeNow();
      })));
  }

  @Test
  void anUnknownPathIsA404NoRouteInJson(VertxTestContext ctx) {
    gateway.client().get("/usersX/1").putHeader("X-Request-Id", "r404").send()
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(404, r.statusCode());
        assertEquals("application/json", r.getHeader("Content-Type"));
        JsonObject body = r.bodyAsJsonObject();
        assertEquals("error", body.getString("status"));
        assertEquals("NO_ROUTE", body.getString("code"));
        assertEquals("r404", body.getString("requestId"));
        assertNotNull(body.getString("message"));
        ctx.completeNow();
      })));
  }

  @Test
  void dotSegmentsCannotClimbOutOfARoute(VertxTestContext ctx) {
    HttpClient raw = gateway.vertx().createHttpClient();
    // A raw client: WebClient would normalise the path itself before sending it.
    raw.request(new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/users/../admin"))
      .compose(req -> req.send().compose(HttpClientResponse::body).map(body -> body.toJsonObject()))
      .onComplete(ctx.succeeding(body -> ctx.verify(() -> {
        assertEquals("NO_ROUTE", body.getString("code"));
        ctx.completeNow();
      })));
  }

  @Test
  void aBodyOverTheLimitIsRefusedWith413(VertxTestContext ctx) {
    gateway.client().post("/anything/big").sendBuffer(Buffer.buffer(new byte[1_048_577]))
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(413, r.statusCode());
        assertEquals("PAYLOAD_TOO_LARGE", r.bodyAsJsonObject().getString("code"));
        ctx.completeNow();
      })));
  }

  @Test
  void aChunkedBodyOverTheLimitIsRefusedWithoutBufferingTheRest(VertxTestContext ctx) {
    HttpClient raw = gateway.vertx().createHttpClient();
    raw.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
        .setURI("/anything/chunked"))
      .compose(req -> {
        req.setChunked(true);
        Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
        for (int i = 0; i < 20; i++) {
          req.write(chunk);
        }
        req.end();
        return req.response().compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b.toJsonObject().getString("code")));
      })
      .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
        assertEquals("413 PAYLOAD_TOO_LARGE", result);
        ctx.completeNow();
      })));
  }

  @Test
  void theGatewayPortAnswersLiveness(VertxTestContext ctx) {
    gateway.client().get("/__health").send()
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(200, r.statusCode());
        assertEquals(new JsonObject().put("status", "UP"), r.bodyAsJsonObject());
        ctx.completeNow();
      })));
  }
}
