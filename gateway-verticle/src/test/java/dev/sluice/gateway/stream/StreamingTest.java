package dev.sluice.gateway.stream;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data plane streams: bodies both ways with backpressure, SSE as it happens, WebSocket tunnels, strict framing. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class StreamingTest {
  static final StreamingUpstream upstream = new StreamingUpstream();
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(upstream::start, (redis, mock) -> GatewayFixture.config(redis,
      new JsonArray()
        .add(route("live", "/live", upstream.url()).put("stripPrefix", true)
          .put("retry", new JsonObject().put("initialDelayMs", 5).put("maxDelayMs", 10)))
        // Its own circuit: the 503s of the retry test must not open the circuit of the others.
        .add(route("busy", "/busy", upstream.url()).put("stripPrefix", true)
          .put("retry", new JsonObject().put("initialDelayMs", 5).put("maxDelayMs", 10))
          .put("circuit", new JsonObject().put("failureThreshold", 1000)))
        .add(route("limited", "/limited", upstream.url()).put("stripPrefix", true)
          .put("rateLimit", new JsonObject().put("limit", 1).put("windowMs", 60_000))))
    .put("http", new JsonObject().put("maxBodyBytes", 0)));

  @Test
  void anSseEventReachesTheClientAsSoonAsTheUpstreamSendsIt(VertxTestContext ctx) {
    long sentAt = System.nanoTime();
    request(HttpMethod.GET, "/live/sse?events=4").onComplete(ctx.succeeding(response -> {
      ctx.verify(() -> assertEquals(200, response.statusCode()));
      response.exceptionHandler(ctx::failNow);
      // An event may be split over chunks: what arrived so far is searched, and named if it ends first.
      StringBuilder seen = new StringBuilder();
      response.endHandler(v -> ctx.failNow("the stream ended before its first event was seen; received: [" + seen + "]"));
      response.handler(chunk -> {
        seen.append(chunk.toString());
        if (seen.indexOf("data: 0") >= 0 && !ctx.completed()) {
          long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);
          // The upstream takes 3 s to finish; a store-and-forward proxy would deliver the first event then.
          ctx.verify(() -> assertTrue(ms < 2000, "first event took " + ms + " ms"));
          ctx.completeNow();
        }
      });
    }));
  }

  @Test
  void aLargeDownloadArrivesWholeAndUnchanged(VertxTestContext ctx) {
    long length = 64L * 1024 * 1024;
    request(HttpMethod.GET, "/live/bytes/" + length)
      .compose(StreamingTest::digest)
      .onComplete(ctx.succeeding(digest -> ctx.verify(() -> {
        assertEquals(length + " " + GeneratedBody.sha256Of(length), digest);
        ctx.completeNow();
      })));
  }

  @Test
  void anUploadLongerThanTheReplayBufferStreamsWholeAndUnchanged(VertxTestContext ctx) {
    long length = 8L * 1024 * 1024;
    upload("/live/sink", length)
      .compose(response -> response.body())
      .onComplete(ctx.succeeding(body -> ctx.verify(() -> {
        JsonObject seen = body.toJsonObject();
        assertEquals(length, seen.getLong("bytes"));
        assertEquals(GeneratedBody.sha256Of(length), seen.getString("sha256"));
        ctx.completeNow();
      })));
  }

  @Test
  void anUploadLongerThanTheReplayBufferIsSentOnceButASmallOneIsRetried(VertxTestContext ctx) {
    int before = upstream.unavailableCalls.get();
    upload("/busy/unavailable", 2L * 1024 * 1024)
      .compose(large -> {
        ctx.verify(() -> {
          assertEquals(503, large.statusCode());
          assertEquals(before + 1, upstream.unavailableCalls.get(), "a streamed body cannot be sent twice");
        });
        return large.body().compose(v -> upload("/busy/unavailable", 1024));
      })
      .onComplete(ctx.succeeding(small -> ctx.verify(() -> {
        assertEquals(503, small.statusCode());
        assertEquals(before + 1 + 3, upstream.unavailableCalls.get(), "a buffered body is retried as the route says");
        ctx.completeNow();
      })));
  }

  @Test
  void aClientThatLeavesMidBodyResetsTheUpstreamAndTheNextRequestWorks(VertxTestContext ctx) {
    Vertx vertx = gateway.vertx();
    int before = upstream.endlessClosed.get();
    HttpClient own = vertx.createHttpClient();
    own.request(new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/live/endless"))
      .compose(req -> req.send())
      .compose(response -> {
        Promise<Void> tenMegabytes = Promise.promise();
        long[] received = {0};
        response.handler(chunk -> {
          received[0] += chunk.length();
          if (received[0] >= 10L * 1024 * 1024) {
            tenMegabytes.tryComplete();
          }
        });
        return tenMegabytes.future().compose(v -> response.request().connection().close());
      })
      .compose(v -> eventually(vertx, () -> upstream.endlessClosed.get() > before))
      .compose(v -> request(HttpMethod.GET, "/live/after"))
      .compose(response -> response.body().map(body -> response.statusCode() + " " + body))
      // Held (and closed) until the end: Vert.x closes a client nothing references, connections and all.
      .andThen(ar -> own.close())
      .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
        assertEquals("200 ok /after", answer);
        ctx.completeNow();
      })));
  }

  @Test
  void headAnd204KeepTheUpstreamsHeadersAndCarryNoBody(VertxTestContext ctx) {
    request(HttpMethod.HEAD, "/live/sized")
      .compose(head -> head.body().map(body -> {
        ctx.verify(() -> {
          assertEquals(200, head.statusCode());
          assertEquals("1234", head.getHeader("Content-Length"));
          assertEquals(0, body.length());
        });
        return head;
      }))
      .compose(v -> request(HttpMethod.GET, "/live/empty"))
      .compose(empty -> empty.body().map(body -> empty.statusCode() + ":" + body.length()))
      .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
        assertEquals("204:0", answer);
        ctx.completeNow();
      })));
  }

  @Test
  void webSocketFramesRoundTripAndCloseReachesTheUpstream(VertxTestContext ctx) {
    Vertx vertx = gateway.vertx();
    int closedBefore = upstream.webSocketsClosed.get();
    WebSocketClient client = vertx.createWebSocketClient();
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/live/ws"))
      .compose(ws -> roundTrip(ws, "hello").compose(text -> {
        ctx.verify(() -> assertEquals("hello", text));
        Promise<Buffer> binary = Promise.promise();
        ws.binaryMessageHandler(binary::tryComplete);
        ws.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3, 0, -1}));
        return binary.future();
      }).compose(binary -> {
        ctx.verify(() -> assertEquals(Buffer.buffer(new byte[] {1, 2, 3, 0, -1}), binary));
        return ws.close();
      }))
      .compose(v -> eventually(vertx, () -> upstream.webSocketsClosed.get() > closedBefore))
      // Held (and closed) until the end: Vert.x closes a client nothing references, mid-handshake too.
      .andThen(ar -> client.close())
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anUpstreamThatClosesTheWebSocketClosesTheClients(VertxTestContext ctx) {
    Vertx vertx = gateway.vertx();
    WebSocketClient client = vertx.createWebSocketClient();
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/live/ws"))
      .compose(ws -> {
        Promise<Void> closed = Promise.promise();
        ws.closeHandler(v -> closed.tryComplete());
        ws.writeTextMessage("close-me");
        return closed.future();
      })
      .andThen(ar -> client.close())
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRateLimitedClientGets429OnTheHandshake(VertxTestContext ctx) {
    Vertx vertx = gateway.vertx();
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
      .setURI("/limited/ws");
    client.connect(options)
      .compose(first -> first.close())
      .compose(v -> client.connect(options))
      .andThen(ar -> client.close())
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertTrue(err instanceof UpgradeRejectedException, err.toString());
        assertEquals(429, ((UpgradeRejectedException) err).getStatus());
        ctx.completeNow();
      })));
  }

  @Test
  void anUpgradeToAnotherProtocolIsRefused(VertxTestContext ctx) {
    raw("GET /live/x HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: smtp\r\n\r\n")
      .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.contains("\"code\":\"BAD_REQUEST\""), answer);
        ctx.completeNow();
      })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"FOO/1.1", "HTTP/1.x", "HTTP/9.9"})
  void aGarbledVersionIsA400ThatDoesNotEchoTheClientsBytes(String version, VertxTestContext ctx) {
    raw("GET /live/x " + version + "\r\nHost: x\r\n\r\n")
      .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
        String statusLine = answer.substring(0, answer.indexOf("\r\n"));
        assertTrue(statusLine.matches("HTTP/1\\.[01] 400 .*"), statusLine);
        assertFalse(statusLine.contains(version), statusLine);
        ctx.completeNow();
      })));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    "Transfer-Encoding: xchunked\r\n",
    "Transfer-Encoding: chunked, identity\r\n",
    "Content-Length: 5\r\nContent-Length: 6\r\n"})
  void ambiguousFramingIsA400AndNothingAfterItReachesTheUpstream(String framing, VertxTestContext ctx) {
    String tag = Integer.toHexString(framing.hashCode());
    String smuggled = "GET /live/smuggled-" + tag + " HTTP/1.1\r\nHost: x\r\n\r\n";
    raw("POST /live/front-" + tag + " HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n0\r\n\r\n" + smuggled)
      // Whatever was forwarded has reached the upstream by then.
      .compose(answer -> gateway.vertx().timer(300).map(answer))
      .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertEquals(1, answer.split("HTTP/1\\.1 ").length - 1, "one answer, then the connection closed: " + answer);
        assertFalse(upstream.seen.contains("GET /smuggled-" + tag), upstream.seen.toString());
        assertFalse(upstream.seen.contains("POST /front-" + tag), upstream.seen.toString());
        ctx.completeNow();
      })));
  }

  private static Future<String> roundTrip(WebSocket ws, String text) {
    Promise<String> echoed = Promise.promise();
    ws.textMessageHandler(echoed::tryComplete);
    ws.writeTextMessage(text);
    return echoed.future();
  }

  private static Future<HttpClientResponse> request(HttpMethod method, String uri) {
    return gateway.http().request(new RequestOptions().setMethod(method).setPort(gateway.port()).setURI(uri)).compose(req -> req.send());
  }

  private static Future<HttpClientResponse> upload(String uri, long length) {
    return gateway.http().request(new RequestOptions().setMethod(HttpMethod.PUT).setPort(gateway.port()).setURI(uri))
      .compose(req -> {
        req.putHeader("Content-Length", Long.toString(length));
        new GeneratedBody(length).writeTo(req);
        return req.response();
      });
  }

  /** "bytes sha256" of a response body, read as it streams. */
  private static Future<String> digest(HttpClientResponse response) {
    Promise<String> done = Promise.promise();
    MessageDigest sha = GeneratedBody.sha256();
    long[] count = {0};
    response.handler(chunk -> {
      count[0] += chunk.length();
      sha.update(chunk.getBytes());
    });
    response.exceptionHandler(done::tryFail);
    response.endHandler(v -> done.tryComplete(count[0] + " " + HexFormat.of().formatHex(sha.digest())));
    return done.future();
  }

  /** Sends bytes as they are and reads everything until the gateway closes the connection (at most 5 s). */
  private static Future<String> raw(String bytes) {
    NetClient net = gateway.vertx().createNetClient();
    return net.connect(gateway.port(), "127.0.0.1").compose(socket -> {
      Promise<String> answer = Promise.promise();
      Buffer received = Buffer.buffer();
      socket.handler(received::appendBuffer);
      socket.closeHandler(v -> answer.tryComplete(received.toString()));
      long timer = gateway.vertx().setTimer(5000, t -> answer.tryComplete(received + "[still open]"));
      socket.write(bytes);
      return answer.future().andThen(ar -> {
        gateway.vertx().cancelTimer(timer);
        socket.close();
        net.close();
      });
    });
  }

  private static Future<Void> eventually(Vertx vertx, java.util.function.BooleanSupplier condition) {
    Promise<Void> done = Promise.promise();
    long deadline = System.currentTimeMillis() + 10_000;
    vertx.setPeriodic(20, id -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        done.tryComplete();
      } else if (System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(id);
        done.tryFail("condition not met within 10 s");
      }
    });
    return done.future();
  }
}
