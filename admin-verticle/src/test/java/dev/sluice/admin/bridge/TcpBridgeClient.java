package dev.sluice.admin.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A bridge client as another language would write it: 4-byte big-endian length, then UTF-8 JSON,
 * both ways, over a plain TCP socket. Frames received are kept for the test to look through.
 */
final class TcpBridgeClient implements AutoCloseable {
  private final Vertx vertx;
  private final NetSocket socket;
  private final List<JsonObject> frames = new ArrayList<>();
  private Buffer pending = Buffer.buffer();

  /** Held for the socket's life: Vert.x closes a client, and its connections, once it is unreachable. */
  private final NetClient client;

  private TcpBridgeClient(Vertx vertx, NetClient client, NetSocket socket) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    socket.handler(this::received);
  }

  static TcpBridgeClient connect(Vertx vertx, int port) {
    NetClient client = vertx.createNetClient();
    return new TcpBridgeClient(vertx, client, client.connect(port, "127.0.0.1").await());
  }

  private synchronized void received(Buffer data) {
    pending.appendBuffer(data);
    while (pending.length() >= 4 && pending.length() >= 4 + pending.getInt(0)) {
      int length = pending.getInt(0);
      frames.add(new JsonObject(pending.getBuffer(4, 4 + length)));
      pending = pending.getBuffer(4 + length, pending.length());
    }
  }

  void write(JsonObject frame) {
    Buffer json = frame.toBuffer();
    socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json)).await();
  }

  void register(String address) {
    write(new JsonObject().put("type", "register").put("address", address));
  }

  /** @return the reply address the answer will come to */
  String request(String address, JsonObject body, JsonObject headers) {
    String replyAddress = "reply-" + UUID.randomUUID();
    JsonObject frame = new JsonObject().put("type", "send").put("address", address).put("body", body)
      .put("replyAddress", replyAddress);
    write(headers == null ? frame : frame.put("headers", headers));
    return replyAddress;
  }

  /** The frame addressed to {@code replyAddress} (an answer or an error), within 10 s. */
  JsonObject answer(String replyAddress) {
    return next(f -> replyAddress.equals(f.getString("address")));
  }

  /**
   * Everything the bridge did with the frames written so far has reached us once it answers a
   * ping written after them: it handles one connection's frames in order.
   */
  void sync() {
    int before = count(f -> "pong".equals(f.getString("type")));
    write(new JsonObject().put("type", "ping"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (count(f -> "pong".equals(f.getString("type"))) == before) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no pong within 10 s");
      }
      vertx.timer(10).await();
    }
  }

  /** The first frame received that matches, waiting for it at most 10 s. */
  JsonObject next(Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      synchronized (this) {
        for (JsonObject frame : frames) {
          if (match.test(frame)) {
            return frame;
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no matching frame within 10 s; received " + frames());
      }
      vertx.timer(10).await();
    }
  }

  synchronized int count(Predicate<JsonObject> match) {
    return (int) frames.stream().filter(match).count();
  }

  synchronized List<JsonObject> frames() {
    return List.copyOf(frames);
  }

  @Override
  public void close() {
    socket.close().await();
  }
}
