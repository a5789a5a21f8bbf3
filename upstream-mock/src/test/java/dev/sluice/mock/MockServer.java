package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A real upstream-mock on an ephemeral port, and a WebClient pointed at it. */
final class MockServer {
  private final WebClient client;
  private final int port;

  private MockServer(WebClient client, int port) {
    this.client = client;
    this.port = port;
  }

  static Future<MockServer> start(Vertx vertx) {
    return start(vertx, new UpstreamMockOptions().setPort(0));
  }

  static Future<MockServer> start(Vertx vertx, UpstreamMockOptions options) {
    UpstreamMockVerticle verticle = new UpstreamMockVerticle(options);
    return vertx.deployVerticle(verticle).map(id -> {
      int port = verticle.actualPort();
      WebClient client = WebClient.create(vertx, new WebClientOptions()
          .setDefaultHost("127.0.0.1")
          .setDefaultPort(port)
          .setFollowRedirects(false));
      return new MockServer(client, port);
    });
  }

  int port() {
    return port;
  }

  HttpRequest<Buffer> request(HttpMethod method, String uri) {
    return client.request(method, uri);
  }

  Future<HttpResponse<Buffer>> get(String uri) {
    return client.get(uri).send();
  }

  /** The same call n times, one after another (never concurrently), in order. */
  Future<List<HttpResponse<Buffer>>> getInSequence(String uri, int times) {
    Future<List<HttpResponse<Buffer>>> all = Future.succeededFuture(new ArrayList<>());
    for (int i = 0; i < times; i++) {
      all = all.compose(list -> get(uri).map(response -> {
        list.add(response);
        return list;
      }));
    }
    return all;
  }

  Future<HttpResponse<Buffer>> configure(JsonObject settings) {
    return client.post("/__mock/config").sendJsonObject(settings);
  }

  Future<JsonObject> stats() {
    return get("/__mock/stats").map(HttpResponse::bodyAsJsonObject);
  }

  /** Runs the checks on the future's value and completes the test, or fails it. */
  static <T> void verify(VertxTestContext ctx, Future<T> future, Checks<T> checks) {
    future.onComplete(ctx.succeeding(value -> ctx.verify(() -> {
      checks.accept(value);
      ctx.completeNow();
    })));
  }

  /** Like {@link Consumer}, but assertions may throw anything. */
  @FunctionalInterface
  interface Checks<T> {
    void accept(T value) throws Throwable;
  }
}
