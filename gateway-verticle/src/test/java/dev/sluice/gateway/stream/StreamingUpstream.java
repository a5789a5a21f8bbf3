package dev.sluice.gateway.stream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real upstream for streaming tests, on an ephemeral loopback port: server-sent events, large
 * generated downloads, a sink that hashes uploads, a WebSocket echo, and a record of every request
 * line it saw (to prove nothing was smuggled).
 */
public final class StreamingUpstream {
  public final List<String> seen = new CopyOnWriteArrayList<>();
  public final AtomicInteger unavailableCalls = new AtomicInteger();
  public final AtomicInteger endlessClosed = new AtomicInteger();
  public final AtomicInteger webSocketsClosed = new AtomicInteger();
  private Vertx vertx;
  private HttpServer server;

  public Future<Integer> start(Vertx vertx) {
    this.vertx = vertx;
    server = vertx.createHttpServer()
      .webSocketHandler(ws -> {
        ws.closeHandler(v -> webSocketsClosed.incrementAndGet());
        ws.textMessageHandler(text -> {
          if ("close-me".equals(text)) {
            ws.close();
          } else {
            ws.writeTextMessage(text);
          }
        });
        ws.binaryMessageHandler(ws::writeBinaryMessage);
      })
      .requestHandler(this::handle);
    return server.listen(0, "127.0.0.1").map(HttpServer::actualPort);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    seen.add(request.method() + " " + request.path());
    String path = request.path();
    HttpServerResponse response = request.response();
    if (path.equals("/sse")) {
      sse(response, Integer.parseInt(request.getParam("events", "5")));
    } else if (path.startsWith("/bytes/")) {
      download(response, Long.parseLong(path.substring("/bytes/".length())));
    } else if (path.equals("/endless")) {
      endless(request);
    } else if (path.equals("/dies")) {
      // The head and a first chunk, then the connection goes: the body breaks off mid-way.
      response.setChunked(true).write(Buffer.buffer(new byte[1024]));
      vertx.setTimer(100, t -> request.connection().close());
    } else if (path.equals("/stalls")) {
      // The head and a first chunk, then silence with the connection open.
      response.setChunked(true).write(Buffer.buffer(new byte[1024]));
    } else if (path.equals("/sink")) {
      sink(request);
    } else if (path.equals("/unavailable")) {
      unavailableCalls.incrementAndGet();
      request.body().onComplete(ar -> response.setStatusCode(503).end("busy"));
    } else if (path.equals("/sized")) {
      response.putHeader("Content-Length", "1234");
      response.end(request.method().name().equals("HEAD") ? Buffer.buffer() : Buffer.buffer(new byte[1234]));
    } else if (path.equals("/empty")) {
      response.setStatusCode(204).end();
    } else {
      response.end("ok " + path);
    }
  }

  /** One event a second, each flushed as it is written. */
  private void sse(HttpServerResponse response, int events) {
    response.setChunked(true).putHeader("Content-Type", "text/event-stream");
    response.write("data: 0\n\n");
    AtomicInteger sent = new AtomicInteger(1);
    vertx.setPeriodic(1000, id -> {
      if (response.closed()) {
        vertx.cancelTimer(id);
        return;
      }
      int n = sent.getAndIncrement();
      if (n >= events) {
        vertx.cancelTimer(id);
        response.end();
      } else {
        response.write("data: " + n + "\n\n");
      }
    });
  }

  private void download(HttpServerResponse response, long length) {
    response.putHeader("Content-Length", Long.toString(length));
    new GeneratedBody(length).writeTo(response);
  }

  /** Writes until the reader goes away; counts how many such streams saw their connection close. */
  private void endless(HttpServerRequest request) {
    HttpServerResponse response = request.response().setChunked(true);
    request.connection().closeHandler(v -> endlessClosed.incrementAndGet());
    new GeneratedBody(Long.MAX_VALUE).writeTo(response);
  }

  private void sink(HttpServerRequest request) {
    MessageDigest sha = GeneratedBody.sha256();
    long[] count = {0};
    request.handler(chunk -> {
      count[0] += chunk.length();
      sha.update(chunk.getBytes());
    });
    request.endHandler(v -> request.response().putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("bytes", count[0]).put("sha256", HexFormat.of().formatHex(sha.digest())).encode()));
  }

  public Future<Void> stop() {
    return server.close();
  }
}
