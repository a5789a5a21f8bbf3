package dev.sluice.admin.bridge;

import dev.sluice.admin.AdminNode;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The SockJS bridge's raw WebSocket ({@code /eventbus/websocket}), spoken to as the admin page
 * speaks it: one JSON object per text message.
 */
class SockJsBridgeTest {
  @RegisterExtension
  static final AdminNode node = new AdminNode();

  @Test
  void theAdminPagesOwnOriginMayCommandWithTheTokenAndHearsTheEvent() {
    Frames frames = connect("http://127.0.0.1:" + node.adminPort());
    frames.send(new JsonObject().put("type", "register").put("address", "sluice.circuit.events"));
    String reply = UUID.randomUUID().toString();
    // registration and the send are handled in order: the event cannot overtake the registration
    frames.send(new JsonObject().put("type", "send").put("address", "sluice.admin.command").put("replyAddress", reply)
      .put("headers", new JsonObject().put("Authorization", "Bearer " + AdminNode.TOKEN))
      .put("body", new JsonObject().put("action", "open").put("route", "orders")));

    JsonObject answer = frames.next(f -> reply.equals(f.getString("address")));
    assertEquals("OPEN", answer.getJsonObject("body").getString("state"), answer.encode());
    JsonObject event = frames.next(f -> "sluice.circuit.events".equals(f.getString("address")));
    assertEquals("orders", event.getJsonObject("body").getString("route"));
    assertEquals("OPEN", event.getJsonObject("body").getString("state"));

    node.admin().post("/__circuit/orders/reset").putHeader("Authorization", "Bearer " + AdminNode.TOKEN).send().await();
    frames.next(f -> "sluice.circuit.events".equals(f.getString("address"))
      && "CLOSED".equals(f.getJsonObject("body").getString("state")));
  }

  @Test
  void withoutTheTokenACommandIsRefusedWithAReasonAndNothingChanges() {
    long version = node.circuit("users").getLong("version");
    Frames frames = connect(null);
    String reply = UUID.randomUUID().toString();
    frames.send(new JsonObject().put("type", "send").put("address", "sluice.admin.command").put("replyAddress", reply)
      .put("body", new JsonObject().put("action", "open").put("route", "users")));
    JsonObject refused = frames.next(f -> reply.equals(f.getString("address")));
    assertEquals("err", refused.getString("type"));
    assertEquals(401, refused.getInteger("failureCode"));
    // and the bridge's own refusal after it
    frames.next(f -> "rejected".equals(f.getString("body")));

    String other = UUID.randomUUID().toString();
    frames.send(new JsonObject().put("type", "send").put("address", "sluice.routes.reload").put("replyAddress", other)
      .put("headers", new JsonObject().put("Authorization", "Bearer " + AdminNode.TOKEN))
      .put("body", new JsonObject().put("version", 99)));
    assertEquals(403, frames.next(f -> other.equals(f.getString("address"))).getInteger("failureCode"));

    assertEquals(version, node.circuit("users").getLong("version"));
    assertEquals("CLOSED", node.circuit("users").getString("state"));
  }

  @Test
  void anotherSitesPageCannotOpenTheBridge() {
    assertThrows(Exception.class, () -> connect("http://evil.example"));
  }

  private Frames connect(String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.adminPort())
      .setURI("/eventbus/websocket");
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    WebSocketClient client = node.vertx().createWebSocketClient();
    return new Frames(client, client.connect(options).await());
  }

  /** What the bridge wrote to one socket, kept for the test to look through. */
  final class Frames {
    /**
     * Held as long as the socket: Vert.x closes a client that is no longer reachable, with its
     * connections, so a collection during the handshake closed it ("Connection evicted").
     */
    private final WebSocketClient client;
    private final WebSocket socket;
    private final List<JsonObject> received = new ArrayList<>();

    Frames(WebSocketClient client, WebSocket socket) {
      this.client = client;
      this.socket = socket;
      // The bridge writes its own frames as binary messages, ours (BridgeGuard's) as text.
      socket.textMessageHandler(text -> add(new JsonObject(text)));
      socket.binaryMessageHandler(data -> add(new JsonObject(data)));
    }

    private void add(JsonObject frame) {
      synchronized (received) {
        received.add(frame);
      }
    }

    void send(JsonObject frame) {
      socket.writeTextMessage(frame.encode()).await();
    }

    JsonObject next(Predicate<JsonObject> match) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        synchronized (received) {
          for (JsonObject frame : received) {
            if (match.test(frame)) {
              return frame;
            }
          }
          if (System.nanoTime() > deadline) {
            throw new AssertionError("no matching frame within 10 s; received " + received);
          }
        }
        node.vertx().timer(10).await();
      }
    }
  }
}
