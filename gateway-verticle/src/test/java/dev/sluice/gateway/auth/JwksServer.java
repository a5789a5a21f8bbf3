package dev.sluice.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A real JWKS endpoint on an ephemeral loopback port: {@code GET /jwks/<name>}, counting fetches, down on demand. */
public final class JwksServer {
  private final Map<String, JsonObject> sets = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
  private final Map<String, Boolean> down = new ConcurrentHashMap<>();
  private HttpServer server;

  public Future<JwksServer> start(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(request -> {
      String name = request.path().replaceFirst("^/jwks/", "");
      fetches.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      JsonObject set = sets.get(name);
      if (set == null || down.getOrDefault(name, false)) {
        request.response().setStatusCode(503).end();
      } else {
        request.response().putHeader("Content-Type", "application/json").end(set.encode());
      }
    });
    return server.listen(0, "127.0.0.1").map(s -> this);
  }

  public String url(String name) {
    return "http://127.0.0.1:" + server.actualPort() + "/jwks/" + name;
  }

  public void publish(String name, JsonObject set) {
    sets.put(name, set);
  }

  public void down(String name, boolean isDown) {
    down.put(name, isDown);
  }

  public int fetches(String name) {
    AtomicInteger count = fetches.get(name);
    return count == null ? 0 : count.get();
  }
}
