package dev.sluice.admin.ui;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Just enough of the Chrome DevTools protocol to drive one page: commands over the page target's
 * WebSocket ({@code java.net.http}), answers matched by id. No Selenium, no driver binary.
 */
final class DevTools implements AutoCloseable {
  static final long ANSWER_S = 15;

  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> waiting = new ConcurrentHashMap<>();

  private DevTools(WebSocket socket) {
    this.socket = socket;
  }

  static DevTools connect(String webSocketDebuggerUrl) throws Exception {
    Listener listener = new Listener();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(ANSWER_S))
      .buildAsync(URI.create(webSocketDebuggerUrl), listener).get(ANSWER_S, TimeUnit.SECONDS);
    DevTools devTools = new DevTools(socket);
    listener.owner = devTools;
    return devTools;
  }

  /** @return the command's {@code result}; fails on a protocol error or after {@link #ANSWER_S} */
  JsonObject call(String method, JsonObject params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    waiting.put(id, answer);
    socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true)
      .get(ANSWER_S, TimeUnit.SECONDS);
    JsonObject message = answer.get(ANSWER_S, TimeUnit.SECONDS);
    if (message.containsKey("error")) {
      throw new IllegalStateException(method + ": " + message.getJsonObject("error").encode());
    }
    return message.getJsonObject("result", new JsonObject());
  }

  /** The value of a JavaScript expression in the page (JSON-serialisable values only). */
  Object evaluate(String expression) throws Exception {
    JsonObject result = call("Runtime.evaluate", new JsonObject().put("expression", expression)
      .put("returnByValue", true));
    if (result.containsKey("exceptionDetails")) {
      throw new IllegalStateException(expression + ": " + result.getJsonObject("exceptionDetails").encode());
    }
    return result.getJsonObject("result").getValue("value");
  }

  private void received(String text) {
    JsonObject message = new JsonObject(text);
    Integer id = message.getInteger("id");
    if (id != null) {
      CompletableFuture<JsonObject> answer = waiting.remove(id);
      if (answer != null) {
        answer.complete(message);
      }
    }
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
  }

  /** Gathers a message's parts; the protocol's messages are text, one JSON object each. */
  private static final class Listener implements WebSocket.Listener {
    private final StringBuilder parts = new StringBuilder();
    private volatile DevTools owner;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      parts.append(data);
      if (last) {
        String text = parts.toString();
        parts.setLength(0);
        if (owner != null) {
          owner.received(text);
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}
